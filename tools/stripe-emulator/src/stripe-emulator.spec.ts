import Stripe from 'stripe';
import { TEST_KEY, WebhookReceiver, paymentSession, sdk, stripeError, useEmulator } from './emulator-test-kit.spec-helper';
import { StripeEmulator } from './index';

describe('StripeEmulator API', () => {
  const harness = useEmulator();
  let emulator: StripeEmulator;
  let receiver: WebhookReceiver;
  let stripe: Stripe;
  let live: Stripe;

  beforeAll(() => ({ emulator, receiver, stripe, live } = harness));

  describe('customers', () => {
    it('creates a customer shaped like Stripe’s and reads it back', async () => {
      const created = await stripe.customers.create({
        email: 'ana@example.com',
        name: 'Ana Martin',
        metadata: { partner_id: 'par_1' },
        address: { line1: '1 rue de la Paix', city: 'Paris', postal_code: '75002', country: 'FR' },
        preferred_locales: ['fr', 'en'],
      });

      expect(created).toMatchObject({
        object: 'customer',
        email: 'ana@example.com',
        name: 'Ana Martin',
        livemode: false,
        metadata: { partner_id: 'par_1' },
        address: { line1: '1 rue de la Paix', line2: null, city: 'Paris', postal_code: '75002', country: 'FR', state: null },
        preferred_locales: ['fr', 'en'],
        invoice_settings: { default_payment_method: null },
      });
      expect(created.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
      expect(Math.abs(created.created - Date.now() / 1000)).toBeLessThan(5);
      expect(created.lastResponse.requestId).toMatch(/^req_[A-Za-z0-9]{14}$/);
      await expect(stripe.customers.retrieve(created.id)).resolves.toMatchObject({ id: created.id, email: 'ana@example.com' });
    });

    it('updates only what is sent: metadata merges, an empty value deletes its key, null clears a field', async () => {
      const customer = await stripe.customers.create({ email: 'b@example.com', name: 'Bea', metadata: { a: '1', b: '2' } });

      const updated = await stripe.customers.update(customer.id, { name: null as unknown as string, metadata: { b: '', c: '3' } });

      expect(updated).toMatchObject({ email: 'b@example.com', name: null, metadata: { a: '1', c: '3' } });
      expect(updated.metadata).not.toHaveProperty('b');
    });

    it('lists newest first, filters by exact email and pages with starting_after', async () => {
      const email = `list-${Date.now()}@example.com`;
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await stripe.customers.create({ email })).id);

      const firstPage = await stripe.customers.list({ email, limit: 2 });
      const all = await stripe.customers.list({ email, limit: 2 }).autoPagingToArray({ limit: 10 });

      expect(firstPage).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
      expect(firstPage.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
      expect(all.map((c) => c.id)).toEqual([...ids].reverse());
      expect((await stripe.customers.list({ email: email.toUpperCase() })).data).toEqual([]);
    });
  });

  describe('the API envelope', () => {
    it('refuses a malformed key with StripeAuthenticationError, masking the key', async () => {
      const bad = sdk('sk_wrong_4242abcd', emulator);

      const error = await stripeError(bad.customers.list());

      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(error.statusCode).toBe(401);
      expect(error.type).toBe('StripeAuthenticationError');
      expect(error.message).toMatch(/^Invalid API Key provided: \*+abcd$/);
      expect(error.message).not.toContain('sk_wrong_4242');
      expect(error.requestId).toMatch(/^req_/);
    });

    it('answers an unknown id with 404 resource_missing, and keeps test and live data apart', async () => {
      const missing = await stripeError(stripe.checkout.sessions.retrieve('cs_test_doesnotexist'));
      const liveSession = await live.checkout.sessions.create(paymentSession());
      const crossMode = await stripeError(stripe.checkout.sessions.retrieve(liveSession.id));

      expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(missing).toMatchObject({
        statusCode: 404,
        code: 'resource_missing',
        param: 'id',
        message: "No such checkout.session: 'cs_test_doesnotexist'",
      });
      expect(crossMode).toMatchObject({ statusCode: 404, code: 'resource_missing' });
      expect(crossMode.message).toContain('a similar object exists in live mode');
    });

    it('answers an unemulated URL with Stripe’s 404 and refuses unknown parameters', async () => {
      const response = await fetch(`${emulator.url}/v1/subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${TEST_KEY}` } });
      const body = (await response.json()) as { error: { type: string; message: string } };
      const unknown = await stripeError(stripe.customers.create({ emial: 'typo@example.com' } as Stripe.CustomerCreateParams));

      expect(response.status).toBe(404);
      expect(response.headers.get('request-id')).toMatch(/^req_/);
      expect(body.error).toMatchObject({ type: 'invalid_request_error' });
      expect(body.error.message).toMatch(/^Unrecognized request URL \(POST: \/v1\/subscriptions\)/);
      expect(unknown).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'emial' });
    });

    it('replays a keyed request, and refuses the key for a different request', async () => {
      const key = `order-${Date.now()}`;
      const first = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
      const replay = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
      const conflict = await stripeError(stripe.customers.create({ email: 'other@example.com' }, { idempotencyKey: key }));
      const otherEndpoint = await stripeError(stripe.checkout.sessions.create(paymentSession(), { idempotencyKey: key }));

      expect(replay.id).toBe(first.id);
      expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(replay.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
      expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
      expect(conflict).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
      expect(conflict).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
      expect(otherEndpoint).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
      // The SDK keys every POST by itself; distinct calls must still create distinct objects.
      const [a, b] = await Promise.all([stripe.customers.create(), stripe.customers.create()]);
      expect(a.id).not.toBe(b.id);
    });

    it('does not save a request refused on validation, so the corrected retry may reuse the key', async () => {
      const key = `retry-${Date.now()}`;
      const invalid = { ...paymentSession(), mode: undefined };
      const refused = await stripeError(stripe.checkout.sessions.create(invalid, { idempotencyKey: key }));
      const accepted = await stripe.checkout.sessions.create(paymentSession(), { idempotencyKey: key });

      expect(refused).toMatchObject({ code: 'parameter_missing', param: 'mode' });
      expect(accepted.id).toMatch(/^cs_test_/);
    });
  });

  describe('checkout sessions', () => {
    it('creates a hosted payment session with Stripe’s fields and totals', async () => {
      const customer = await stripe.customers.create({ email: 'guest@example.com' });

      const session = await stripe.checkout.sessions.create(paymentSession({ customer: customer.id, locale: 'fr' }));

      expect(session).toMatchObject({
        object: 'checkout.session',
        mode: 'payment',
        status: 'open',
        payment_status: 'unpaid',
        amount_subtotal: 3250,
        amount_total: 3250,
        currency: 'eur',
        customer: customer.id,
        customer_email: null,
        customer_details: null,
        client_reference_id: 'ord_123',
        client_secret: null,
        livemode: false,
        locale: 'fr',
        metadata: { order_id: 'ord_123' },
        payment_intent: null,
        success_url: 'https://shop.example/merci?session={CHECKOUT_SESSION_ID}',
        cancel_url: 'https://shop.example/panier',
        ui_mode: 'hosted_page',
      });
      expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]{58}$/);
      expect(session.url).toBe(`${emulator.url}/pay/${session.id}`);
      expect(session.expires_at - session.created).toBe(24 * 60 * 60);
    });

    it('creates live sessions from a live key', async () => {
      const session = await live.checkout.sessions.create(paymentSession());

      expect(session.id).toMatch(/^cs_live_/);
      expect(session.livemode).toBe(true);
    });

    it('mirrors Stripe’s validation of required and conflicting parameters', async () => {
      const noMode = await stripeError(stripe.checkout.sessions.create({ ...paymentSession(), mode: undefined }));
      const noLines = await stripeError(stripe.checkout.sessions.create({ ...paymentSession(), line_items: undefined }));
      const noSuccessUrl = await stripeError(stripe.checkout.sessions.create({ ...paymentSession(), success_url: undefined }));
      const noName = await stripeError(
        stripe.checkout.sessions.create(
          paymentSession({
            line_items: [
              { price_data: { currency: 'eur', unit_amount: 100, product_data: { description: 'no name' } as never }, quantity: 1 },
            ],
          }),
        ),
      );
      const unknownPrice = await stripeError(
        stripe.checkout.sessions.create(paymentSession({ line_items: [{ price: 'price_nope', quantity: 1 }] })),
      );
      const both = await stripeError(stripe.checkout.sessions.create(paymentSession({ customer: 'cus_x', customer_email: 'a@b.c' })));

      expect(noMode).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'mode' });
      expect(noMode).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(noLines).toMatchObject({ code: 'parameter_missing', param: 'line_items' });
      expect(noSuccessUrl).toMatchObject({ code: 'parameter_missing', param: 'success_url' });
      expect(noName).toMatchObject({ code: 'parameter_missing', param: 'line_items[0][price_data][product_data][name]' });
      expect(unknownPrice).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'line_items[0][price]' });
      expect(both.message).toBe('You may only specify one of these parameters: customer, customer_email.');
    });

    it('creates embedded sessions with a client secret and a return_url, refusing success_url', async () => {
      const embedded = { ...paymentSession(), success_url: undefined, cancel_url: undefined, ui_mode: 'embedded_page' as const };

      const returnUrl = 'https://shop.example/retour?s={CHECKOUT_SESSION_ID}';
      const session = await stripe.checkout.sessions.create({ ...embedded, return_url: returnUrl });
      const withoutReturnUrl = await stripeError(stripe.checkout.sessions.create(embedded));
      const withSuccessUrl = await stripeError(
        stripe.checkout.sessions.create({ ...embedded, return_url: 'https://shop.example/r', success_url: 'https://shop.example/s' }),
      );

      expect(session).toMatchObject({ ui_mode: 'embedded_page', url: null, success_url: null, return_url: returnUrl });
      expect(session.client_secret).toMatch(new RegExp(`^${session.id}_secret_[A-Za-z0-9]+$`));
      expect(withoutReturnUrl).toMatchObject({ code: 'parameter_missing', param: 'return_url' });
      expect(withSuccessUrl).toMatchObject({ statusCode: 400, param: 'success_url' });
      expect(withSuccessUrl.message).toContain("not supported with 'ui_mode: embedded_page'");
    });

    it('follows the request’s API version for ui_mode names, as Stripe does since 2026-03-25.dahlia', async () => {
      const legacy = { ...paymentSession(), success_url: undefined, cancel_url: undefined, return_url: 'https://shop.example/r' };

      const refused = await stripeError(stripe.checkout.sessions.create({ ...legacy, ui_mode: 'embedded' }));
      const clover = sdk(TEST_KEY, emulator, { apiVersion: '2025-09-30.clover' as never });
      const old = await clover.checkout.sessions.create({ ...legacy, ui_mode: 'embedded' });

      expect(refused).toMatchObject({ statusCode: 400, param: 'ui_mode' });
      expect(old.ui_mode).toBe('embedded');
      expect(old.client_secret).toMatch(/_secret_/);
    });

    it('serves line items by list and by expand', async () => {
      const session = await stripe.checkout.sessions.create(paymentSession());

      const items = await stripe.checkout.sessions.listLineItems(session.id);
      const expanded = await stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] });
      const plain = await stripe.checkout.sessions.retrieve(session.id);

      expect(items).toMatchObject({ object: 'list', has_more: false, url: `/v1/checkout/sessions/${session.id}/line_items` });
      expect(items.data).toHaveLength(2);
      expect(items.data[0]).toMatchObject({
        object: 'item',
        description: 'Nuitée',
        quantity: 2,
        currency: 'eur',
        amount_subtotal: 3000,
        amount_total: 3000,
        amount_tax: 0,
        amount_discount: 0,
        price: { object: 'price', currency: 'eur', unit_amount: 1500, type: 'one_time' },
      });
      expect(items.data[0].id).toMatch(/^li_/);
      expect(items.data[0].price?.id).toMatch(/^price_/);
      expect(items.data[0].price?.product).toMatch(/^prod_/);
      expect(expanded.line_items?.data.map((item) => item.id)).toEqual(items.data.map((item) => item.id));
      expect(plain.line_items).toBeUndefined();
    });

    it('lists sessions filtered by customer and status', async () => {
      const customer = await stripe.customers.create({ email: 'lister@example.com' });
      const open = await stripe.checkout.sessions.create(paymentSession({ customer: customer.id }));
      const expired = await stripe.checkout.sessions.create(paymentSession({ customer: customer.id }));
      await stripe.checkout.sessions.expire(expired.id);

      const all = await stripe.checkout.sessions.list({ customer: customer.id });
      const onlyOpen = await stripe.checkout.sessions.list({ customer: customer.id, status: 'open' });

      expect(all.data.map((s) => s.id)).toEqual([expired.id, open.id]);
      expect(onlyOpen.data.map((s) => s.id)).toEqual([open.id]);
    });

    it('expires an open session through the API and refuses to expire a complete one', async () => {
      const session = await stripe.checkout.sessions.create(paymentSession());

      const expired = await stripe.checkout.sessions.expire(session.id, {}, { idempotencyKey: `expire-${session.id}` });

      expect(expired).toMatchObject({ status: 'expired', url: null });
      expect(receiver.types()).toEqual(['checkout.session.expired']);
      expect(receiver.received[0].request).toEqual({ id: expired.lastResponse.requestId, idempotency_key: `expire-${session.id}` });

      const paid = await stripe.checkout.sessions.create(paymentSession());
      await emulator.completeCheckoutSession(paid.id);
      const error = await stripeError(stripe.checkout.sessions.expire(paid.id));
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.message).toContain('status of "complete"');
      await expect(emulator.expireCheckoutSession(paid.id)).rejects.toThrow('status of "complete"');
    });
  });
});
