import { ApiContext } from './api-request-handler';
import { EmulatorStore } from './emulator-store';
import { LIST_PARAMS, listPage } from './list-page';
import { Metadata, RequestParams, newMetadata, refuseExpand } from './request-params';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';
import { ListObject, PriceObject, ProductObject, nowSeconds } from './stripe-objects';

const INTERVALS = ['day', 'week', 'month', 'year'] as const;
const TAX_BEHAVIORS = ['inclusive', 'exclusive', 'unspecified'] as const;

export interface NewPrice {
  active: boolean;
  currency: string;
  livemode: boolean;
  product: string;
  recurring: PriceObject['recurring'];
  unitAmount: number;
  lookupKey?: string | null;
  metadata?: Metadata;
  nickname?: string | null;
  taxBehavior?: PriceObject['tax_behavior'];
}

/** Both `POST /v1/prices` and Checkout's inline `price_data` store prices through here. */
export function insertPrice(store: EmulatorStore, fields: NewPrice): PriceObject {
  return store.prices.insert({
    id: stripeIds.price(),
    object: 'price',
    active: fields.active,
    billing_scheme: 'per_unit',
    created: nowSeconds(),
    currency: fields.currency,
    livemode: fields.livemode,
    lookup_key: fields.lookupKey ?? null,
    metadata: fields.metadata ?? {},
    nickname: fields.nickname ?? null,
    product: fields.product,
    recurring: fields.recurring,
    tax_behavior: fields.taxBehavior ?? 'unspecified',
    type: fields.recurring ? 'recurring' : 'one_time',
    unit_amount: fields.unitAmount,
    unit_amount_decimal: String(fields.unitAmount),
  });
}

/** `recurring[interval|interval_count]`, as both endpoints take it; Stripe caps a period at three years. */
export function readRecurring(params: RequestParams): PriceObject['recurring'] {
  const recurring = params.object('recurring');
  if (recurring === null) return null;
  const interval = recurring.enum('interval', INTERVALS);
  if (interval === null) throw StripeApiError.parameterMissing(recurring.name('interval'));
  const count = recurring.int('interval_count', 1) ?? 1;
  const maxCount = { day: 1095, week: 156, month: 36, year: 3 }[interval];
  if (count > maxCount) {
    throw StripeApiError.invalid(recurring.name('interval_count'), 'The maximum recurring interval is three years (3 years, 36 months, or 156 weeks).');
  }
  return { interval, interval_count: count, usage_type: 'licensed' };
}

/** A required three-letter ISO currency, lowercased as Stripe stores it. */
export function requireCurrency(params: RequestParams, key = 'currency'): string {
  const currency = params.requireString(key).toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw StripeApiError.invalid(params.name(key), `Invalid currency: ${currency}`);
  return currency;
}

/** A product by id, or a new one from `product_data`: exactly one of the two. */
export function resolveProduct(store: EmulatorStore, data: RequestParams, livemode: boolean): ProductObject {
  const productId = data.string('product');
  const productData = data.object('product_data');
  if (productId !== null && productData !== null) {
    throw StripeApiError.invalid(
      data.name('product'),
      `You may only specify one of these parameters: ${data.name('product')}, ${data.name('product_data')}.`,
    );
  }
  if (productId !== null) return store.products.get(productId, livemode, data.name('product'));
  if (productData === null) throw StripeApiError.parameterMissing(data.name('product_data'));
  return store.products.insert({
    id: stripeIds.product(),
    object: 'product',
    active: true,
    created: nowSeconds(),
    description: productData.string('description'),
    livemode,
    metadata: newMetadata(productData.metadata('metadata')),
    name: productData.requireString('name'),
  });
}

/** /v1/prices: create, retrieve, and list by lookup key, product or activity. */
export class PriceEndpoints {
  constructor(private readonly store: EmulatorStore) {}

  create(ctx: ApiContext): PriceObject {
    const { params, livemode } = ctx;
    params.assertKnown({
      currency: true,
      unit_amount: true,
      product: true,
      product_data: { name: true, metadata: 'map' },
      recurring: { interval: true, interval_count: true },
      tax_behavior: true,
      lookup_key: true,
      transfer_lookup_key: true,
      metadata: 'map',
      nickname: true,
      active: true,
      expand: [true],
    });
    refuseExpand(params);
    const currency = requireCurrency(params);
    const unitAmount = params.requireInt('unit_amount', 0);
    const recurring = readRecurring(params);
    const lookupKey = params.string('lookup_key');
    const holder = lookupKey === null ? undefined : this.store.prices.list(livemode).find((p) => p.lookup_key === lookupKey);
    if (holder && !params.boolean('transfer_lookup_key')) {
      throw StripeApiError.invalid(
        'lookup_key',
        `A price (\`${holder.id}\`) already uses that lookup key. Pass \`transfer_lookup_key=true\` to move it to this price.`,
      );
    }
    const taxBehavior = params.enum('tax_behavior', TAX_BEHAVIORS) ?? 'unspecified';
    const product = resolveProduct(this.store, params, livemode);
    if (holder) holder.lookup_key = null;
    return insertPrice(this.store, {
      active: params.boolean('active') ?? true,
      currency,
      livemode,
      product: product.id,
      recurring,
      unitAmount,
      lookupKey,
      metadata: newMetadata(params.metadata('metadata')),
      nickname: params.string('nickname'),
      taxBehavior,
    });
  }

  list(ctx: ApiContext): ListObject<PriceObject> {
    const { params } = ctx;
    params.assertKnown({ ...LIST_PARAMS, lookup_keys: [true], active: true, product: true, type: true, currency: true });
    const lookupKeys = params.stringList('lookup_keys');
    if (lookupKeys.length > 10) {
      throw StripeApiError.invalid('lookup_keys', 'You may only specify up to 10 lookup keys.');
    }
    const active = params.boolean('active');
    const product = params.string('product');
    const type = params.enum('type', ['one_time', 'recurring'] as const);
    const currency = params.string('currency')?.toLowerCase() ?? null;
    const prices = this.store.prices
      .list(ctx.livemode)
      .filter(
        (price) =>
          (lookupKeys.length === 0 || (price.lookup_key !== null && lookupKeys.includes(price.lookup_key))) &&
          (active === null || price.active === active) &&
          (product === null || price.product === product) &&
          (type === null || price.type === type) &&
          (currency === null || price.currency === currency),
      );
    return listPage(prices, params, '/v1/prices', 'price');
  }
}
