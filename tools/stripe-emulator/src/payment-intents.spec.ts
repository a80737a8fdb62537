import Stripe from 'stripe';
import { EventsBody, TEST_KEY, WebhookReceiver, control, customerWithCard, sdk, stripeError, useEmulator } from './emulator-test-kit.spec-helper';
import { StripeEmulator } from './index';

describe('StripeEmulator payment intents', () => {
  const harness = useEmulator();
  let emulator: StripeEmulator;
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  beforeAll(() => ({ emulator, receiver, stripe } = harness));

  /** What our service sends to charge a saved card while the customer is away. */
  const offSession = (customer: string, paymentMethod: string): Stripe.PaymentIntentCreateParams => ({
    amount: 2500,
    currency: 'eur',
    customer,
    payment_method: paymentMethod,
    off_session: true,
    confirm: true,
    metadata: { booking_id: 'bk_1' },
  });

  describe('off-session charges of a saved card', () => {
    it('charges a visa at once: succeeded, with its charge, and payment_intent.succeeded carrying the request', async () => {
      const { customer, paymentMethod } = await customerWithCard(harness);

      const intent = await stripe.paymentIntents.create(offSession(customer.id, paymentMethod), { idempotencyKey: 'charge-visa-1' });

      expect(intent).toMatchObject({
        object: 'payment_intent',
        status: 'succeeded',
        amount: 2500,
        amount_received: 2500,
        currency: 'eur',
        customer: customer.id,
        payment_method: paymentMethod,
        metadata: { booking_id: 'bk_1' },
        last_payment_error: null,
        livemode: false,
      });
      expect(intent.id).toMatch(/^pi_/);
      expect(intent.latest_charge).toMatch(/^ch_/);
      expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_`));
      expect(receiver.types()).toEqual(['payment_intent.succeeded']);
      expect(receiver.received[0].request).toEqual({ id: intent.lastResponse.requestId, idempotency_key: 'charge-visa-1' });
      expect(receiver.received[0].data.object).toMatchObject({ id: intent.id, status: 'succeeded' });
    });

    it('answers a card needing authentication with StripeCardError (402), the failed PaymentIntent inside', async () => {
      const { customer, paymentMethod } = await customerWithCard(harness, 'authentication_required');

      const error = await stripeError(stripe.paymentIntents.create(offSession(customer.id, paymentMethod), { idempotencyKey: 'charge-3ds-1' }));

      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error).toMatchObject({
        statusCode: 402,
        rawType: 'card_error',
        code: 'authentication_required',
        decline_code: 'authentication_required',
        message: 'Your card was declined. This transaction requires authentication.',
        doc_url: 'https://stripe.com/docs/error-codes/authentication-required',
      });
      const intent = error.payment_intent as Stripe.PaymentIntent;
      expect((error.raw as { payment_intent: Stripe.PaymentIntent }).payment_intent).toEqual(intent);
      expect(intent).toMatchObject({ object: 'payment_intent', status: 'requires_payment_method', payment_method: null, metadata: { booking_id: 'bk_1' } });
      expect(intent.last_payment_error).toMatchObject({
        type: 'card_error',
        code: 'authentication_required',
        decline_code: 'authentication_required',
        payment_method: { id: paymentMethod, object: 'payment_method', type: 'card', customer: customer.id },
      });
      expect(error.payment_method).toMatchObject({ id: paymentMethod, card: { last4: '3184' } });
      expect(receiver.types()).toEqual(['payment_intent.payment_failed']);
      expect(receiver.received[0].data.object).toMatchObject({ id: intent.id, status: 'requires_payment_method' });
      await expect(stripe.paymentIntents.retrieve(intent.id)).resolves.toMatchObject({ status: 'requires_payment_method' });
    });

    it('replays a declined charge under the same key, as Stripe saves 402s: same PaymentIntent, no second charge', async () => {
      const { customer, paymentMethod } = await customerWithCard(harness, 'insufficient_funds');
      const key = `charge-declined-${Date.now()}`;

      const first = await stripeError(stripe.paymentIntents.create(offSession(customer.id, paymentMethod), { idempotencyKey: key }));
      const replay = await stripeError(stripe.paymentIntents.create(offSession(customer.id, paymentMethod), { idempotencyKey: key }));

      expect(first).toMatchObject({ code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
      expect(replay).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(replay.payment_intent?.id).toBe(first.payment_intent?.id);
      expect(replay.headers?.['idempotent-replayed']).toBe('true');
      expect(replay.headers?.['original-request']).toBe(first.requestId);
      expect(receiver.types()).toEqual(['payment_intent.payment_failed']);
      expect((await stripe.paymentIntents.list({ customer: customer.id })).data).toHaveLength(1);
    });

    it('declines a card_declined card with generic_decline', async () => {
      const { customer, paymentMethod } = await customerWithCard(harness, 'generic_decline');

      const error = await stripeError(stripe.paymentIntents.create(offSession(customer.id, paymentMethod)));

      expect(error).toMatchObject({ type: 'StripeCardError', code: 'card_declined', decline_code: 'generic_decline' });
    });

    it('accepts Stripe’s test tokens as payment_method, each making a new method', async () => {
      const customer = await stripe.customers.create();
      const intent = await stripe.paymentIntents.create({ amount: 900, currency: 'eur', customer: customer.id, payment_method: 'pm_card_visa', confirm: true });

      expect(intent.status).toBe('succeeded');
      expect(intent.payment_method).toMatch(/^pm_(?!card_)/);
    });
  });

  describe('validation', () => {
    it('refuses what Stripe refuses, naming the parameter', async () => {
      const { customer, paymentMethod } = await customerWithCard(harness);
      const other = await stripe.customers.create();

      const tooSmall = await stripeError(stripe.paymentIntents.create({ amount: 49, currency: 'eur' }));
      const noCurrency = await stripeError(stripe.paymentIntents.create({ amount: 100 } as Stripe.PaymentIntentCreateParams));
      const offWithoutConfirm = await stripeError(
        stripe.paymentIntents.create({ ...offSession(customer.id, paymentMethod), confirm: undefined }),
      );
      const foreignMethod = await stripeError(stripe.paymentIntents.create(offSession(other.id, paymentMethod)));
      const noMethod = await stripeError(stripe.paymentIntents.create({ ...offSession(customer.id, paymentMethod), payment_method: undefined }));
      const unknownMethod = await stripeError(stripe.paymentIntents.create(offSession(customer.id, 'pm_nope')));
      const both = await stripeError(
        stripe.paymentIntents.create({ amount: 100, currency: 'eur', automatic_payment_methods: { enabled: true }, allowed_payment_method_types: ['card'] }),
      );
      const typo = await stripeError(stripe.paymentIntents.create({ amount: 100, currency: 'eur', offsession: true } as Stripe.PaymentIntentCreateParams));

      expect(tooSmall).toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount', message: 'Amount must be at least €0.50 eur' });
      expect(noCurrency).toMatchObject({ code: 'parameter_missing', param: 'currency' });
      expect(offWithoutConfirm).toMatchObject({ param: 'off_session', message: 'off_session can only be used with confirm=true.' });
      expect(foreignMethod).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(foreignMethod.param).toBe('payment_method');
      expect(noMethod).toMatchObject({ param: 'payment_method' });
      expect(unknownMethod).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'payment_method' });
      expect(both.param).toBe('automatic_payment_methods');
      expect(typo).toMatchObject({ code: 'parameter_unknown', param: 'offsession' });
      expect(receiver.types()).toEqual([]);
    });

    it('takes allowed_payment_method_types since 2026-09-30.endive, and payment_method_types before it', async () => {
      const restricted = await stripe.paymentIntents.create({ amount: 100, currency: 'eur', allowed_payment_method_types: ['card'] });
      const oldName = await stripeError(
        stripe.paymentIntents.create({ amount: 100, currency: 'eur', payment_method_types: ['card'] } as Stripe.PaymentIntentCreateParams),
      );
      const clover = sdk(TEST_KEY, emulator, { apiVersion: '2025-09-30.clover' as never });
      const legacy = await clover.paymentIntents.create({ amount: 100, currency: 'eur', payment_method_types: ['card'] } as Stripe.PaymentIntentCreateParams);

      expect(restricted).toMatchObject({ allowed_payment_method_types: ['card'], payment_method_types: ['card'], automatic_payment_methods: null });
      expect(oldName).toMatchObject({ code: 'parameter_unknown', param: 'payment_method_types' });
      expect(legacy.payment_method_types).toEqual(['card']);
    });
  });

  describe('paid by the customer in the browser', () => {
    it('creates an unconfirmed intent, updates it, survives a decline and succeeds on retry', async () => {
      const customer = await stripe.customers.create();
      const created = await stripe.paymentIntents.create({
        amount: 3000,
        currency: 'eur',
        customer: customer.id,
        automatic_payment_methods: { enabled: true },
        metadata: { booking_id: 'bk_2' },
      });
      const updated = await stripe.paymentIntents.update(created.id, { amount: 3500, metadata: { step: 'deposit' } });

      const [failed] = await emulator.confirmPaymentIntent(created.id, { card: 'insufficient_funds' });
      const [succeeded] = await emulator.confirmPaymentIntent(created.id, { card: 'visa' });

      expect(created).toMatchObject({ status: 'requires_payment_method', payment_method: null, automatic_payment_methods: { enabled: true }, latest_charge: null });
      expect(created.client_secret).toMatch(new RegExp(`^${created.id}_secret_[A-Za-z0-9]+$`));
      expect(updated).toMatchObject({ amount: 3500, metadata: { booking_id: 'bk_2', step: 'deposit' } });
      expect(receiver.types()).toEqual(['payment_intent.payment_failed', 'payment_intent.succeeded']);
      expect(failed.data.object).toMatchObject({ status: 'requires_payment_method', last_payment_error: { decline_code: 'insufficient_funds' } });
      expect(succeeded.data.object).toMatchObject({ id: created.id, status: 'succeeded', amount_received: 3500, last_payment_error: null });
      await expect(emulator.confirmPaymentIntent(created.id)).rejects.toThrow('status of succeeded');
    });

    it('fails the customer’s confirmation with a card needing authentication (3-D Secure is not emulated)', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });

      const [event] = await emulator.confirmPaymentIntent(intent.id, { card: 'authentication_required' });

      expect(event.type).toBe('payment_intent.payment_failed');
      expect(event.data.object).toMatchObject({ last_payment_error: { code: 'authentication_required' } });
    });

    it('refuses to change the amount once paid, but still takes metadata, as Stripe does', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
      await emulator.confirmPaymentIntent(intent.id);

      const error = await stripeError(stripe.paymentIntents.update(intent.id, { amount: 1200 }));
      const tagged = await stripe.paymentIntents.update(intent.id, { metadata: { reconciled: 'yes' } });

      expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state', param: 'amount' });
      expect(error.message).toBe(
        "This PaymentIntent's amount could not be updated because it has a status of succeeded. You may only update the " +
          'amount of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.',
      );
      expect(tagged).toMatchObject({ amount: 1000, metadata: { reconciled: 'yes' } });
    });

    it('lets the merchant refund it by payment_intent', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 1800, currency: 'eur' });
      await emulator.confirmPaymentIntent(intent.id);
      receiver.clear();

      const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 800 });

      expect(refund).toMatchObject({ amount: 800, payment_intent: intent.id, status: 'succeeded' });
      expect(receiver.types()).toEqual(['charge.refunded', 'refund.created']);
    });

    it('confirms over the control API', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });

      const declined = await control(emulator, `/_emulator/payment_intents/${intent.id}/confirm`, { card: 'generic_decline' });
      const paid = await control(emulator, `/_emulator/payment_intents/${intent.id}/confirm`, {});
      const badCard = await control(emulator, `/_emulator/payment_intents/${intent.id}/confirm`, { card: 'amex' });

      expect(((await declined.json()) as EventsBody).events.map((e) => e.type)).toEqual(['payment_intent.payment_failed']);
      expect(((await paid.json()) as EventsBody).events.map((e) => e.type)).toEqual(['payment_intent.succeeded']);
      expect(badCard.status).toBe(400);
    });
  });

  describe('cancel, list and modes', () => {
    it('cancels an unpaid intent with payment_intent.canceled, and refuses to cancel a paid one', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
      const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'abandoned' });
      const paid = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });

      const error = await stripeError(stripe.paymentIntents.cancel(paid.id));

      expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
      expect(canceled.canceled_at).toEqual(expect.any(Number));
      expect(receiver.types()).toEqual(['payment_intent.canceled', 'payment_intent.succeeded']);
      expect(receiver.received[0].request?.id).toBe(canceled.lastResponse.requestId);
      expect(error).toMatchObject({ code: 'payment_intent_unexpected_state' });
      expect(error.message).toContain('because it has a status of succeeded');
    });

    it('lists a customer’s intents newest first and keeps test and live apart', async () => {
      const customer = await stripe.customers.create();
      const a = await stripe.paymentIntents.create({ amount: 500, currency: 'eur', customer: customer.id });
      const b = await stripe.paymentIntents.create({ amount: 600, currency: 'eur', customer: customer.id });

      const list = await stripe.paymentIntents.list({ customer: customer.id });
      const crossMode = await stripeError(harness.live.paymentIntents.retrieve(a.id));
      const liveCustomer = await stripeError(harness.live.paymentIntents.create({ amount: 500, currency: 'eur', customer: customer.id }));

      expect(list).toMatchObject({ object: 'list', url: '/v1/payment_intents', has_more: false });
      expect(list.data.map((pi) => pi.id)).toEqual([b.id, a.id]);
      expect(crossMode).toMatchObject({ statusCode: 404, code: 'resource_missing' });
      expect(liveCustomer).toMatchObject({ statusCode: 404, param: 'customer' });
    });
  });
});
