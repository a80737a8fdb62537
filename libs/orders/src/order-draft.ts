import { Customer, Locale, newId, OrderLine, OrderSource, Partner, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { computeInvoiceTotals } from '@app/invoicing';
import { buyerOfCustomer } from './customer.service';
import type { OrderValues } from './order.repository';

/** A basket line as the partner's server sends it. */
export interface LineInput {
  name: string;
  quantity: number;
  unit_amount: number;
  vat_rate?: number;
}

export interface PricedBasket {
  lines: OrderLine[];
  pricesIncludeTax: boolean;
  /** What the customer pays, minor units: the invoice total to the cent. */
  amountTotal: number;
}

/**
 * Prices a basket on our side: amounts only ever come from the partner's server (through its API key), never from
 * the browser. A partner with VAT-exclusive prices charges the lines plus the VAT per rate.
 */
export function priceBasket(partner: Partner, lineItems: LineInput[]): PricedBasket {
  const lines: OrderLine[] = lineItems.map((l) => ({
    name: l.name,
    quantity: l.quantity,
    unit_amount: l.unit_amount,
    vat_rate: l.vat_rate ?? partner.defaultVatRate,
    amount_total: l.quantity * l.unit_amount,
  }));
  const pricesIncludeTax = partner.pricesIncludeTax ?? true;
  const amountTotal = computeInvoiceTotals(lines, { pricesIncludeTax }).including_tax;
  if (amountTotal <= 0) throw AppError.validation([{ field: 'line_items', message: 'the basket total must be greater than zero' }]);
  return { lines, pricesIncludeTax, amountTotal };
}

export interface DraftOrder {
  id?: string;
  source: OrderSource;
  basket: PricedBasket;
  currency: string;
  customer: Customer;
  locale?: Locale;
  partnerOrderRef?: string | null;
  checkoutSessionId?: string | null;
  paymentIntentId?: string | null;
  idempotencyKey?: string | null;
  subscriptionId?: string | null;
  stripeInvoiceId?: string | null;
  periodStart?: Date | null;
  periodEnd?: Date | null;
}

/**
 * The columns of a pending order. OrderRepository.insertIfAbsent writes them unless an order with the same id or
 * unique key (checkout session, idempotency key, Stripe invoice) exists; a replay therefore keeps the first order.
 */
export function pendingOrderValues(draft: DraftOrder): OrderValues & { id: string } {
  return {
    id: draft.id ?? newId('ord'),
    status: 'pending',
    source: draft.source,
    partnerOrderRef: draft.partnerOrderRef ?? null,
    currency: draft.currency,
    amountTotal: draft.basket.amountTotal,
    lineItems: draft.basket.lines,
    pricesIncludeTax: draft.basket.pricesIncludeTax,
    customerId: draft.customer.id,
    customerEmail: draft.customer.email,
    customerName: draft.customer.name,
    stripeCustomerId: draft.customer.stripeCustomerId,
    locale: draft.locale ?? draft.customer.locale ?? 'fr',
    buyer: buyerOfCustomer(draft.customer),
    checkoutSessionId: draft.checkoutSessionId ?? null,
    paymentIntentId: draft.paymentIntentId ?? null,
    idempotencyKey: draft.idempotencyKey ?? null,
    subscriptionId: draft.subscriptionId ?? null,
    stripeInvoiceId: draft.stripeInvoiceId ?? null,
    periodStart: draft.periodStart ?? null,
    periodEnd: draft.periodEnd ?? null,
  };
}

/** The metadata every Stripe object we create carries, so its events find their way back to the tenant and order. */
export function stripeMetadata(scope: TenantScope, ids: Record<string, string>): Record<string, string> {
  return { partner_id: scope.partnerId, environment: scope.environment, ...ids };
}
