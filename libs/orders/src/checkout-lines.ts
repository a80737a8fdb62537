import type Stripe from 'stripe';
import type { OrderLine } from '@app/database';
import { computeInvoiceTotals } from '@app/invoicing';

/**
 * The Checkout Session's line items for an order's lines. With VAT-inclusive
 * prices they are the lines themselves; with VAT-exclusive prices one more
 * line per rate carries that rate's VAT, computed on the rate's total exactly
 * as the invoice computes it, so Stripe charges the invoice total to the cent.
 */
export function stripeLineItemsFor(lines: OrderLine[], currency: string, pricesIncludeTax: boolean): Stripe.Checkout.SessionCreateParams.LineItem[] {
  const items: Stripe.Checkout.SessionCreateParams.LineItem[] = lines.map((l) => ({
    quantity: l.quantity,
    price_data: { currency, unit_amount: l.unit_amount, product_data: { name: l.name, metadata: { vat_rate: String(l.vat_rate) } } },
  }));
  if (pricesIncludeTax) return items;
  for (const rate of computeInvoiceTotals(lines, { pricesIncludeTax }).by_rate) {
    if (rate.tax === 0) continue;
    items.push({
      quantity: 1,
      price_data: { currency, unit_amount: rate.tax, product_data: { name: `TVA ${rate.rate} %`, metadata: { vat_line: 'true', vat_rate: String(rate.rate) } } },
    });
  }
  return items;
}
