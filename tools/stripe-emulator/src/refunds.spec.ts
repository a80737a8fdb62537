import Stripe from 'stripe';
import { EventsBody, WebhookReceiver, paymentSession, stripeError, useEmulator } from './emulator-test-kit.spec-helper';
import { StripeEmulator } from './index';

describe('StripeEmulator refunds', () => {
  const harness = useEmulator();
  let emulator: StripeEmulator;
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  beforeAll(() => ({ emulator, receiver, stripe } = harness));

  /** A session paid by card (3 250 cents): its PaymentIntent id. */
  async function paidIntent(client = stripe): Promise<string> {
    const session = await client.checkout.sessions.create(paymentSession());
    await emulator.completeCheckoutSession(session.id);
    receiver.clear();
    return (await client.checkout.sessions.retrieve(session.id)).payment_intent as string;
  }

  it('refunds part of a payment through the SDK: charge.refunded then refund.created, both verifiable', async () => {
    const intentId = await paidIntent();
    const refund = await stripe.refunds.create({ payment_intent: intentId, amount: 1000, reason: 'requested_by_customer', metadata: { ticket: 'T-1' } });

    expect(refund).toMatchObject({ object: 'refund', amount: 1000, currency: 'eur', payment_intent: intentId, status: 'succeeded', reason: 'requested_by_customer', metadata: { ticket: 'T-1' } });
    expect(refund.id).toMatch(/^re_/);
    expect(refund.charge).toMatch(/^ch_/);
    expect(receiver.rejections).toEqual([]);
    expect(receiver.types()).toEqual(['charge.refunded', 'refund.created']);
    const [refunded, created] = receiver.received;
    expect(refunded.data.object).toMatchObject({ object: 'charge', id: refund.charge, amount: 3250, amount_refunded: 1000, refunded: false, payment_intent: intentId, metadata: { partner_id: 'par_9' } });
    expect(created.data.object).toMatchObject({ id: refund.id, amount: 1000 });
    expect(created.request?.id).toMatch(/^req_/);
    await expect(stripe.refunds.retrieve(refund.id)).resolves.toMatchObject({ id: refund.id, amount: 1000 });
  });

  it('refunds what is left by default, by charge id too, and lists refunds of a payment newest first', async () => {
    const intentId = await paidIntent();
    const first = await stripe.refunds.create({ payment_intent: intentId, amount: 250 });
    const second = await stripe.refunds.create({ charge: first.charge as string });

    expect(second.amount).toBe(3000);
    expect(receiver.received.at(-2)!.data.object).toMatchObject({ amount_refunded: 3250, refunded: true });
    const list = await stripe.refunds.list({ payment_intent: intentId });
    expect(list.data.map((r) => r.id)).toEqual([second.id, first.id]);
  });

  it('refuses to refund more than is left, twice in full, or an unpaid payment, with Stripe’s errors', async () => {
    const intentId = await paidIntent();
    const tooMuch = await stripeError(stripe.refunds.create({ payment_intent: intentId, amount: 3251 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch.param).toBe('amount');
    expect(tooMuch.message).toBe('Refund amount (€32.51) is greater than unrefunded amount on charge (€32.50)');

    await stripe.refunds.create({ payment_intent: intentId });
    const again = await stripeError(stripe.refunds.create({ payment_intent: intentId }));
    expect(again.code).toBe('charge_already_refunded');

    const open = await stripe.checkout.sessions.create(paymentSession());
    await emulator.failCheckoutPayment(open.id);
    const failedIntent = (await stripe.checkout.sessions.retrieve(open.id)).payment_intent as string;
    const unpaid = await stripeError(stripe.refunds.create({ payment_intent: failedIntent }));
    expect(unpaid.message).toContain('does not have a successful charge to refund');

    const missing = await stripeError(stripe.refunds.create({} as Stripe.RefundCreateParams));
    expect(missing.type).toBe('StripeInvalidRequestError');
    const unknown = await stripeError(stripe.refunds.create({ payment_intent: intentId, foo: 'bar' } as Stripe.RefundCreateParams));
    expect(unknown.code).toBe('parameter_unknown');
  });

  it('keeps test and live refunds apart', async () => {
    const intentId = await paidIntent();
    const refund = await stripe.refunds.create({ payment_intent: intentId, amount: 100 });
    const err = await stripeError(harness.live.refunds.retrieve(refund.id));
    expect(err.code).toBe('resource_missing');
  });

  it('refunds a paid session from the control API, in part then in full', async () => {
    const session = await stripe.checkout.sessions.create(paymentSession());
    await emulator.completeCheckoutSession(session.id);
    receiver.clear();
    const post = (body: object) =>
      fetch(`${emulator.url}/_emulator/checkout/sessions/${session.id}/refund`, { method: 'POST', body: JSON.stringify(body) });

    const partial = (await (await post({ amount: 1250, reason: 'duplicate' })).json()) as EventsBody;
    expect(partial.events.map((e) => e.type)).toEqual(['charge.refunded', 'refund.created']);
    expect(partial.events[1].data.object).toMatchObject({ amount: 1250, reason: 'duplicate' });
    const rest = (await (await post({})).json()) as EventsBody;
    expect(rest.events[0].data.object).toMatchObject({ amount_refunded: 3250, refunded: true });
    expect(receiver.types()).toEqual(['charge.refunded', 'refund.created', 'charge.refunded', 'refund.created']);

    const again = await post({});
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('charge_already_refunded');
    expect((await post({ amount: 'ten' })).status).toBe(400);
  });
});
