import { EmulatorStore } from './emulator-store';
import { insertPrice, readRecurring, requireCurrency, resolveProduct } from './price-endpoints';
import { ParamShape, RequestParams } from './request-params';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';
import { LineItemObject, PriceObject, SessionMode } from './stripe-objects';

export const LINE_ITEM_PARAMS: ParamShape = [
  {
    price: true,
    quantity: true,
    price_data: {
      currency: true,
      unit_amount: true,
      product: true,
      product_data: { name: true, description: true, metadata: 'map' },
      recurring: { interval: true, interval_count: true },
      tax_behavior: true,
    },
  },
];

/**
 * Stripe refuses payment-mode sessions below a per-currency minimum charge (in minor units). Only the currencies we
 * are likely to meet are listed; others are not checked.
 */
export const MINIMUM_CHARGE: Record<string, number> = { eur: 50, usd: 50, chf: 50, cad: 50, aud: 50, gbp: 30, jpy: 50 };

export interface PricedLines {
  lineItems: LineItemObject[];
  currency: string | null;
  amountTotal: number;
}

/**
 * Turns `line_items[]` into line item objects. `price_data` creates a product (from `product_data`) and an inline
 * price, which Stripe stores as inactive: it can be retrieved but not reused in another session.
 */
export function priceLineItems(store: EmulatorStore, params: RequestParams, mode: SessionMode, livemode: boolean): PricedLines {
  const items = params.list('line_items');
  if (mode !== 'setup' && items.length === 0) throw StripeApiError.parameterMissing('line_items');
  if (mode === 'setup' && items.length > 0) {
    throw StripeApiError.invalid('line_items', 'You cannot pass `line_items` in `setup` mode.');
  }
  const lineItems = items.map((item) => lineItem(store, item, livemode));

  const currencies = new Set(lineItems.map((line) => line.currency));
  if (currencies.size > 1) {
    throw StripeApiError.invalid('line_items', `All line items must use the same currency (got ${[...currencies].join(', ')}).`);
  }
  const recurring = lineItems.filter((line) => line.price.recurring !== null);
  if (mode === 'payment' && recurring.length > 0) {
    throw StripeApiError.invalid(
      'line_items',
      'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only ' +
        'one-time prices.',
    );
  }
  if (mode === 'subscription' && recurring.length === 0) {
    throw StripeApiError.invalid(
      'line_items',
      'You must provide at least one recurring price in `subscription` mode when using prices.',
    );
  }
  const periods = new Set(recurring.map(({ price }) => `${price.recurring?.interval_count} ${price.recurring?.interval}`));
  if (periods.size > 1) {
    throw StripeApiError.invalid(
      'line_items',
      'Checkout does not support multiple prices with different billing intervals. All recurring prices must use the ' +
        'same `recurring.interval` and `recurring.interval_count`.',
    );
  }

  const currency = lineItems[0]?.currency ?? null;
  const amountTotal = lineItems.reduce((sum, line) => sum + line.amount_total, 0);
  const minimum = currency ? MINIMUM_CHARGE[currency] : undefined;
  if (mode === 'payment' && minimum !== undefined && amountTotal < minimum) {
    throw StripeApiError.invalid(
      undefined,
      `The Checkout Session's total amount due must add up to at least ${formatMinor(minimum, currency ?? '')}.`,
    );
  }
  return { lineItems, currency, amountTotal };
}

function lineItem(store: EmulatorStore, item: RequestParams, livemode: boolean): LineItemObject {
  const quantity = item.requireInt('quantity', 1);
  const price = resolvePrice(store, item, livemode);
  const product = store.products.get(price.product, livemode);
  const amount = price.unit_amount * quantity;
  return {
    id: stripeIds.lineItem(),
    object: 'item',
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: price.currency,
    description: product.name,
    metadata: {},
    price,
    quantity,
  };
}

function resolvePrice(store: EmulatorStore, item: RequestParams, livemode: boolean): PriceObject {
  const priceId = item.string('price');
  const priceData = item.object('price_data');
  if (priceId !== null && priceData !== null) {
    throw StripeApiError.invalid(
      item.name('price'),
      `You may only specify one of these parameters: ${item.name('price')}, ${item.name('price_data')}.`,
    );
  }
  if (priceId !== null) {
    const price = store.prices.get(priceId, livemode, item.name('price'));
    if (!price.active) {
      throw StripeApiError.invalid(item.name('price'), 'The price specified is inactive. This field only accepts active prices.');
    }
    return price;
  }
  if (priceData === null) {
    throw StripeApiError.parameterMissing(
      item.name('price_data'),
      `Each line item needs either \`price\` or \`price_data\` (${item.name('price_data')}).`,
    );
  }
  return inlinePrice(store, priceData, livemode);
}

/** An inline price: Stripe stores it inactive, so it can be retrieved but not reused in another session. */
function inlinePrice(store: EmulatorStore, data: RequestParams, livemode: boolean): PriceObject {
  const currency = requireCurrency(data);
  const unitAmount = data.requireInt('unit_amount', 0);
  const product = resolveProduct(store, data, livemode);
  const recurring = readRecurring(data);
  return insertPrice(store, { active: false, currency, livemode, product: product.id, recurring, unitAmount });
}

export function formatMinor(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
  return `${format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2))} ${currency}`;
}
