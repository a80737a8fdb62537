import Stripe from 'stripe';
import { EventsBody, WebhookReceiver, control, stripeError, useEmulator } from './emulator-test-kit.spec-helper';
import { StripeEmulator } from './index';
import { addInterval } from './subscription-billing';

describe('StripeEmulator subscriptions and invoices', () => {
  const harness = useEmulator();
  let emulator: StripeEmulator;
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  beforeAll(() => ({ emulator, receiver, stripe } = harness));

  /** A customer subscribed through Checkout to 2 × €9.90/month plus a one-time €15 setup fee. */
  async function subscribe(client = stripe): Promise<{ customer: Stripe.Customer; session: Stripe.Checkout.Session; price: Stripe.Price }> {
    const customer = await client.customers.create({ email: 'sub@example.com', name: 'Sue Scriber' });
    const price = await client.prices.create({ currency: 'eur', unit_amount: 990, product_data: { name: 'Pro' }, recurring: { interval: 'month' } });
    const session = await client.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      success_url: 'https://shop.example/abonne',
      line_items: [
        { price: price.id, quantity: 2 },
        { price_data: { currency: 'eur', unit_amount: 1500, product_data: { name: 'Frais de mise en service' } }, quantity: 1 },
      ],
      subscription_data: { metadata: { partner_id: 'par_9' }, description: 'Pro x2' },
    });
    return { customer, session, price };
  }

  async function activeSubscription(): Promise<Stripe.Subscription> {
    const { session } = await subscribe();
    await emulator.completeCheckoutSession(session.id);
    receiver.clear();
    return stripe.subscriptions.retrieve((await stripe.checkout.sessions.retrieve(session.id)).subscription as string);
  }

  it('starts a subscription from Checkout: customer.subscription.created, payment_intent.succeeded, invoice.paid, checkout.session.completed', async () => {
    const { customer, session, price } = await subscribe();

    await emulator.completeCheckoutSession(session.id, { card: 'visa' });

    expect(receiver.rejections).toEqual([]);
    expect(receiver.types()).toEqual(['customer.subscription.created', 'payment_intent.succeeded', 'invoice.paid', 'checkout.session.completed']);
    const [created, , paid, completed] = receiver.received.map((e) => e.data.object);
    const subscription = created as Stripe.Subscription;
    const invoice = paid as Stripe.Invoice;
    const [item] = subscription.items.data;
    expect(subscription).toMatchObject({
      object: 'subscription',
      status: 'active',
      customer: customer.id,
      currency: 'eur',
      collection_method: 'charge_automatically',
      cancel_at_period_end: false,
      metadata: { partner_id: 'par_9' },
      description: 'Pro x2',
      latest_invoice: invoice.id,
    });
    expect(subscription.id).toMatch(/^sub_/);
    expect(subscription.default_payment_method).toMatch(/^pm_/);
    expect(subscription.items.data).toHaveLength(1);
    expect(item).toMatchObject({ object: 'subscription_item', quantity: 2, price: { id: price.id, unit_amount: 990 }, subscription: subscription.id });
    expect(item.id).toMatch(/^si_/);
    expect(item.current_period_start).toBe(subscription.start_date);
    expect(item.current_period_end).toBe(addInterval(item.current_period_start, 'month', 1));

    expect(invoice).toMatchObject({
      object: 'invoice',
      status: 'paid',
      billing_reason: 'subscription_create',
      customer: customer.id,
      currency: 'eur',
      amount_due: 3480,
      amount_paid: 3480,
      amount_remaining: 0,
      subtotal: 3480,
      total: 3480,
      attempt_count: 1,
      next_payment_attempt: null,
      customer_email: 'sub@example.com',
      parent: { type: 'subscription_details', subscription_details: { subscription: subscription.id, metadata: { partner_id: 'par_9' } } },
    });
    expect(invoice.id).toMatch(/^in_/);
    expect(invoice.number).toMatch(new RegExp(`^${customer.invoice_prefix}-0001$`));
    expect(invoice.status_transitions.paid_at).toEqual(expect.any(Number));
    const [recurringLine, feeLine] = invoice.lines.data;
    expect(recurringLine).toMatchObject({
      object: 'line_item',
      amount: 1980,
      quantity: 2,
      description: '2 × Pro (at €9.90 / month)',
      period: { start: item.current_period_start, end: item.current_period_end },
      pricing: { type: 'price_details', price_details: { price: price.id, product: price.product } },
      parent: { type: 'subscription_item_details', subscription_item_details: { subscription: subscription.id, subscription_item: item.id } },
    });
    expect(feeLine).toMatchObject({ amount: 1500, quantity: 1, parent: null });

    expect(completed).toMatchObject({ status: 'complete', payment_status: 'paid', subscription: subscription.id, invoice: invoice.id, payment_intent: null });
    await expect(stripe.subscriptions.retrieve(subscription.id)).resolves.toMatchObject({ status: 'active', latest_invoice: invoice.id });
    await expect(stripe.invoices.retrieve(invoice.id)).resolves.toMatchObject({ status: 'paid' });
  });

  it('refuses a declined card at Checkout with a card error and leaves the session open', async () => {
    const { session } = await subscribe();

    const direct = emulator.completeCheckoutSession(session.id, { card: 'insufficient_funds' });
    const overHttp = await control(emulator, `/_emulator/checkout/sessions/${session.id}/complete`, { card: 'generic_decline' });

    await expect(direct).rejects.toMatchObject({
      status: 402,
      body: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
    });
    expect(overHttp.status).toBe(402);
    expect(await overHttp.json()).toMatchObject({ error: { type: 'card_error', decline_code: 'generic_decline' } });
    expect(receiver.types()).toEqual([]);
    await expect(stripe.checkout.sessions.retrieve(session.id)).resolves.toMatchObject({ status: 'open', subscription: null });
  });

  it('renews for one more period: payment_intent.succeeded, invoice.paid, then customer.subscription.updated with the old periods', async () => {
    const subscription = await activeSubscription();
    const [before] = subscription.items.data;

    await emulator.renewSubscription(subscription.id);

    expect(receiver.types()).toEqual(['payment_intent.succeeded', 'invoice.paid', 'customer.subscription.updated']);
    const invoice = receiver.received[1].data.object as Stripe.Invoice;
    const updated = receiver.received[2];
    const [item] = (updated.data.object as Stripe.Subscription).items.data;
    expect(item).toMatchObject({ current_period_start: before.current_period_end, current_period_end: addInterval(before.current_period_start, 'month', 2) });
    expect(updated.data.previous_attributes).toMatchObject({
      items: { data: [{ id: before.id, current_period_start: before.current_period_start, current_period_end: before.current_period_end }] },
      latest_invoice: subscription.latest_invoice,
    });
    expect(invoice).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_cycle',
      amount_paid: 1980,
      period_start: before.current_period_start,
      period_end: before.current_period_end,
      lines: { data: [{ period: { start: item.current_period_start, end: item.current_period_end } }] },
    });
    expect(updated.data.object).toMatchObject({ status: 'active', latest_invoice: invoice.id });
  });

  it('goes past_due when the renewal is declined, and back to active when the next one is paid', async () => {
    const subscription = await activeSubscription();

    await emulator.renewSubscription(subscription.id, { card: 'insufficient_funds' });
    const failed = receiver.received[1].data.object as Stripe.Invoice;
    await emulator.renewSubscription(subscription.id);

    expect(receiver.types()).toEqual([
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      'customer.subscription.updated',
      'payment_intent.succeeded',
      'invoice.paid',
      'customer.subscription.updated',
    ]);
    expect(failed).toMatchObject({ status: 'open', attempt_count: 1, attempted: true, amount_paid: 0, amount_remaining: 1980 });
    expect(failed.next_payment_attempt).toBeGreaterThan(failed.created);
    expect(receiver.received[2].data).toMatchObject({ object: { status: 'past_due' }, previous_attributes: { status: 'active' } });
    expect(receiver.received[5].data).toMatchObject({ object: { status: 'active' }, previous_attributes: { status: 'past_due' } });
    const open = await stripe.invoices.list({ subscription: subscription.id, status: 'open' });
    expect(open.data.map((i) => i.id)).toEqual([failed.id]);
  });

  it('takes a 3-D Secure card on Checkout’s page, then fails its off-session renewal with the card’s own answer', async () => {
    const { session } = await subscribe();
    await emulator.completeCheckoutSession(session.id, { card: 'authentication_required' });
    const completed = await stripe.checkout.sessions.retrieve(session.id);
    const subscriptionId = completed.subscription as string;
    await expect(stripe.invoices.retrieve(completed.invoice as string)).resolves.toMatchObject({ status: 'paid' });
    receiver.clear();

    const [declined, failed, updated] = await emulator.renewSubscription(subscriptionId);

    expect(declined.data.object).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'authentication_required' } });
    expect(failed).toMatchObject({ type: 'invoice.payment_failed', data: { object: { status: 'open', billing_reason: 'subscription_cycle' } } });
    expect(updated.data.object).toMatchObject({ status: 'past_due' });
    const paid = await emulator.renewSubscription(subscriptionId, { card: 'visa' });
    expect(paid.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'invoice.paid', 'customer.subscription.updated']);
  });

  it('cancels at period end: updated now, customer.subscription.deleted at renewal, and no renewal after', async () => {
    const subscription = await activeSubscription();
    const periodEnd = subscription.items.data[0].current_period_end;

    const updated = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await emulator.renewSubscription(subscription.id);

    expect(updated).toMatchObject({ cancel_at_period_end: true, cancel_at: periodEnd, status: 'active', cancellation_details: { reason: 'cancellation_requested' } });
    expect(updated.canceled_at).toEqual(expect.any(Number));
    expect(receiver.types()).toEqual(['customer.subscription.updated', 'customer.subscription.deleted']);
    expect(receiver.received[0].data.previous_attributes).toMatchObject({ cancel_at_period_end: false, cancel_at: null, canceled_at: null });
    expect(receiver.received[0].request?.id).toBe(updated.lastResponse.requestId);
    expect(receiver.received[1].data.object).toMatchObject({ status: 'canceled', ended_at: periodEnd });
    await expect(emulator.renewSubscription(subscription.id)).rejects.toThrow('is canceled');
    const refused = await stripeError(stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false }));
    expect(refused).toMatchObject({ statusCode: 400, message: 'A canceled subscription can only update its cancellation_details and metadata.' });
    await expect(stripe.subscriptions.update(subscription.id, { metadata: { closed: 'yes' } })).resolves.toMatchObject({ metadata: { partner_id: 'par_9', closed: 'yes' } });
  });

  it('cancels now with DELETE, and lists canceled ones only when asked', async () => {
    const subscription = await activeSubscription();

    const canceled = await stripe.subscriptions.cancel(subscription.id, { invoice_now: false, prorate: false });
    const again = await stripeError(stripe.subscriptions.cancel(subscription.id));
    const byDefault = await stripe.subscriptions.list({ customer: subscription.customer as string });
    const withCanceled = await stripe.subscriptions.list({ customer: subscription.customer as string, status: 'all' });

    expect(canceled).toMatchObject({ status: 'canceled', cancellation_details: { reason: 'cancellation_requested' } });
    expect(canceled.ended_at).toEqual(canceled.canceled_at);
    expect(receiver.types()).toEqual(['customer.subscription.deleted']);
    expect(receiver.received[0].request?.id).toBe(canceled.lastResponse.requestId);
    expect(again.statusCode).toBe(400);
    expect(byDefault.data).toEqual([]);
    expect(withCanceled.data.map((s) => s.id)).toEqual([subscription.id]);
  });

  it('lists invoices by customer and subscription, refuses unknown parameters, and keeps modes apart', async () => {
    const subscription = await activeSubscription();
    await emulator.renewSubscription(subscription.id);

    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    const byCustomer = await stripe.invoices.list({ customer: subscription.customer as string, status: 'paid' });
    const typo = await stripeError(stripe.subscriptions.update(subscription.id, { cancel_at_end: true } as Stripe.SubscriptionUpdateParams));
    const crossMode = await stripeError(harness.live.subscriptions.retrieve(subscription.id));
    const liveInvoice = await stripeError(harness.live.invoices.retrieve(invoices.data[0].id));

    expect(invoices).toMatchObject({ object: 'list', url: '/v1/invoices' });
    expect(invoices.data.map((i) => i.billing_reason)).toEqual(['subscription_cycle', 'subscription_create']);
    expect(byCustomer.data).toHaveLength(2);
    expect(typo).toMatchObject({ code: 'parameter_unknown', param: 'cancel_at_end' });
    expect(crossMode).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(liveInvoice.statusCode).toBe(404);
  });

  it('renews over the control API, and creates live subscriptions from a live key', async () => {
    const { session } = await subscribe(harness.live);
    await control(emulator, `/_emulator/checkout/sessions/${session.id}/complete`, { card: 'visa' });
    const subscriptionId = (await harness.live.checkout.sessions.retrieve(session.id)).subscription as string;

    const response = await control(emulator, `/_emulator/subscriptions/${subscriptionId}/renew`, { card: 'generic_decline' });
    const body = (await response.json()) as EventsBody;

    expect(body.events.map((e) => e.type)).toEqual(['payment_intent.payment_failed', 'invoice.payment_failed', 'customer.subscription.updated']);
    expect(body.events.every((e) => e.livemode)).toBe(true);
    await expect(harness.live.subscriptions.retrieve(subscriptionId)).resolves.toMatchObject({ status: 'past_due', livemode: true });
  });

  it('counts months from the anchor, as Stripe does for short months', () => {
    const jan31 = Date.UTC(2027, 0, 31, 10) / 1000;

    expect(new Date(addInterval(jan31, 'month', 1) * 1000).toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(new Date(addInterval(jan31, 'month', 2) * 1000).toISOString()).toBe('2027-03-31T10:00:00.000Z');
    expect(new Date(addInterval(Date.UTC(2028, 1, 29) / 1000, 'year', 1) * 1000).toISOString()).toBe('2029-02-28T00:00:00.000Z');
    expect(addInterval(jan31, 'week', 2) - jan31).toBe(14 * 24 * 3600);
  });
});
