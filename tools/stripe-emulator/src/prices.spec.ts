import Stripe from 'stripe';
import { paymentSession, stripeError, useEmulator } from './emulator-test-kit.spec-helper';

describe('StripeEmulator prices', () => {
  const harness = useEmulator();
  let stripe: Stripe;

  beforeAll(() => ({ stripe } = harness));

  const monthly = (lookupKey: string, overrides: Partial<Stripe.PriceCreateParams> = {}): Stripe.PriceCreateParams => ({
    currency: 'EUR',
    unit_amount: 990,
    product_data: { name: 'Abonnement Pro' },
    recurring: { interval: 'month' },
    tax_behavior: 'inclusive',
    lookup_key: lookupKey,
    metadata: { plan: 'pro' },
    nickname: 'Pro mensuel',
    ...overrides,
  });

  it('creates a recurring price with its product, and reads it back', async () => {
    const price = await stripe.prices.create(monthly(`pro-${Date.now()}`));

    expect(price).toMatchObject({
      object: 'price',
      active: true,
      currency: 'eur',
      unit_amount: 990,
      type: 'recurring',
      recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
      tax_behavior: 'inclusive',
      billing_scheme: 'per_unit',
      metadata: { plan: 'pro' },
      nickname: 'Pro mensuel',
      livemode: false,
    });
    expect(price.id).toMatch(/^price_/);
    expect(price.product).toMatch(/^prod_/);
    // The SDK parses decimal strings into its Decimal type; ours must be one it can parse.
    expect(String(price.unit_amount_decimal)).toBe('990');
    await expect(stripe.prices.retrieve(price.id)).resolves.toMatchObject({ id: price.id, lookup_key: price.lookup_key });
  });

  it('creates a one-time price for an existing product, with the product filter', async () => {
    const first = await stripe.prices.create({ currency: 'eur', unit_amount: 500, product_data: { name: 'Ménage' } });
    const second = await stripe.prices.create({ currency: 'eur', unit_amount: 700, product: first.product as string, recurring: { interval: 'year', interval_count: 2 } });

    const listed = await stripe.prices.list({ product: first.product as string });

    expect(first).toMatchObject({ type: 'one_time', recurring: null, tax_behavior: 'unspecified', lookup_key: null });
    expect(second).toMatchObject({ product: first.product, recurring: { interval: 'year', interval_count: 2 } });
    expect(listed).toMatchObject({ object: 'list', url: '/v1/prices' });
    expect(listed.data.map((p) => p.id)).toEqual([second.id, first.id]);
  });

  it('finds prices by lookup_keys[], refuses a taken key, and moves it with transfer_lookup_key', async () => {
    const key = `lk-${Date.now()}`;
    const original = await stripe.prices.create(monthly(key));
    const other = await stripe.prices.create(monthly(`${key}-annual`, { recurring: { interval: 'year' } }));

    const found = await stripe.prices.list({ lookup_keys: [key, `${key}-annual`, 'absent'] });
    const taken = await stripeError(stripe.prices.create(monthly(key)));
    const moved = await stripe.prices.create({ ...monthly(key), transfer_lookup_key: true });
    const afterMove = await stripe.prices.list({ lookup_keys: [key] });

    expect(found.data.map((p) => p.id)).toEqual([other.id, original.id]);
    expect(taken).toMatchObject({ statusCode: 400, param: 'lookup_key' });
    expect(taken.message).toContain(original.id);
    expect(afterMove.data.map((p) => p.id)).toEqual([moved.id]);
    await expect(stripe.prices.retrieve(original.id)).resolves.toMatchObject({ lookup_key: null });
  });

  it('filters on active, and keeps Checkout’s inline prices inactive', async () => {
    const session = await stripe.checkout.sessions.create(paymentSession());
    const [line] = (await stripe.checkout.sessions.listLineItems(session.id)).data;

    const inactive = await stripe.prices.list({ active: false, limit: 100 });
    const active = await stripe.prices.list({ active: true, limit: 100 });

    expect(inactive.data.map((p) => p.id)).toContain(line.price?.id);
    expect(active.data.map((p) => p.id)).not.toContain(line.price?.id);
  });

  it('mirrors Stripe’s validation', async () => {
    const noCurrency = await stripeError(stripe.prices.create({ unit_amount: 100, product_data: { name: 'x' } } as Stripe.PriceCreateParams));
    const noProduct = await stripeError(stripe.prices.create({ currency: 'eur', unit_amount: 100 }));
    const badInterval = await stripeError(
      stripe.prices.create({ currency: 'eur', unit_amount: 100, product_data: { name: 'x' }, recurring: { interval: 'fortnight' as 'week' } }),
    );
    const tooLong = await stripeError(
      stripe.prices.create({ currency: 'eur', unit_amount: 100, product_data: { name: 'x' }, recurring: { interval: 'year', interval_count: 4 } }),
    );
    const unknownProduct = await stripeError(stripe.prices.create({ currency: 'eur', unit_amount: 100, product: 'prod_nope' }));
    const tooManyKeys = await stripeError(stripe.prices.list({ lookup_keys: Array.from({ length: 11 }, (_, i) => `k${i}`) }));

    expect(noCurrency).toMatchObject({ code: 'parameter_missing', param: 'currency' });
    expect(noProduct).toMatchObject({ code: 'parameter_missing', param: 'product_data' });
    expect(badInterval).toMatchObject({ statusCode: 400, param: 'recurring[interval]' });
    expect(tooLong).toMatchObject({ param: 'recurring[interval_count]' });
    expect(unknownProduct).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'product' });
    expect(tooManyKeys.param).toBe('lookup_keys');
  });

  it('serves a recurring price to subscription-mode Checkout, refuses it in payment mode, and keeps modes apart', async () => {
    const price = await stripe.prices.create(monthly(`co-${Date.now()}`));
    const customer = await stripe.customers.create();

    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      success_url: 'https://shop.example/ok',
      line_items: [{ price: price.id, quantity: 2 }],
    });
    const inPayment = await stripeError(stripe.checkout.sessions.create(paymentSession({ line_items: [{ price: price.id, quantity: 1 }] })));
    const crossMode = await stripeError(harness.live.prices.retrieve(price.id));
    const liveList = await harness.live.prices.list({ lookup_keys: [price.lookup_key as string] });

    expect(session).toMatchObject({ mode: 'subscription', amount_total: 1980, currency: 'eur' });
    expect(inPayment.message).toContain('recurring price');
    expect(crossMode).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(liveList.data).toEqual([]);
  });
});
