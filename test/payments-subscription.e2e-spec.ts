import { createCustomer, eventsOf, post, stuckStripeEvents, startPaymentsStack } from './support/payment-fixtures';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Seed 004's subscriptions: every paid period is an order with our own invoice; the lifecycle reaches the partner. */
describe('payments: subscriptions', () => {
  let stack: TestStack;
  let token: string;

  beforeAll(async () => {
    ({ stack, token } = await startPaymentsStack());
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const monthly = [
    { name: 'Abonnement Atelier', quantity: 1, unit_amount: 1990, recurring: { interval: 'month' } },
    { name: 'Option livraison', quantity: 1, unit_amount: 500, vat_rate: 20, recurring: { interval: 'month' } },
  ];

  async function subscribe(customerId: string, ref: string) {
    const session = await post(stack, token, '/v1/checkout-sessions', {
      mode: 'subscription',
      customer_id: customerId,
      line_items: monthly,
      success_url: 'https://shop.example.test/abonnement',
      partner_order_ref: ref,
    });
    expect(session).toMatchObject({ mode: 'subscription', customer_id: customerId });
    expect(session.subscription_id).toMatch(/^sub_/);
    const before = await stack.http('GET', `/v1/subscriptions/${session.subscription_id}`, { token });
    expect(before.json).toMatchObject({ status: 'incomplete', amount_total: 2490, interval: 'month', stripe_subscription_id: null });
    await stack.emulator.completeCheckoutSession(session.checkout_session_id, { card: 'visa' });
    const active = await waitFor('the active subscription', async () => {
      const res = await stack.http('GET', `/v1/subscriptions/${session.subscription_id}`, { token });
      return res.json.status === 'active' ? res.json : null;
    });
    return { session, active };
  }

  it('renewed three periods gives three orders, three invoices with our own numbers and three order.paid with their period', async () => {
    const customer = await createCustomer(stack, token);
    const { session, active } = await subscribe(customer.id, 'ABO-1');
    expect(active.stripe_subscription_id).toMatch(/^sub_/);
    expect(new Date(active.current_period_end).getTime()).toBeGreaterThan(new Date(active.current_period_start).getTime());

    await stack.emulator.renewSubscription(active.stripe_subscription_id);
    await stack.emulator.renewSubscription(active.stripe_subscription_id);
    const paid = await waitFor('three order.paid', () => {
      const events = eventsOf(stack, 'order.paid', (d) => d.subscription?.id === session.subscription_id);
      return events.length === 3 ? events : null;
    });
    for (const event of paid) {
      expect(event.data).toMatchObject({ source: 'subscription', amount_total: 2490, partner_order_ref: 'ABO-1' });
      expect(event.data.line_items.map((l: any) => l.name)).toEqual(['Abonnement Atelier', 'Option livraison']);
    }
    // Consecutive periods, each paid once, each with its own invoice number.
    const periods = paid.map((e) => e.data.subscription).sort((a, b) => a.period_start.localeCompare(b.period_start));
    expect(periods[1].period_start).toBe(periods[0].period_end);
    expect(periods[2].period_start).toBe(periods[1].period_end);
    const numbers = new Set(paid.map((e) => e.data.invoice.number));
    expect(numbers.size).toBe(3);
    const invoices = await stack.sql<{ payment_method: string }>(
      `SELECT i.payment_method FROM invoices i JOIN orders o ON o.id = i.order_id WHERE o.subscription_id = $1`,
      [session.subscription_id],
    );
    // Each says it was paid by card ("Payée le … par carte").
    expect(invoices.map((i) => i.payment_method)).toEqual(['card', 'card', 'card']);
    await waitFor('three invoice emails', () => (paid.every((e) => stack.smtp.messages.some((m) => m.subject?.includes(e.data.invoice.number))) ? true : null));

    // Redelivered by Stripe: still three.
    const invoicePaid = stack.emulator.events().filter((e) => e.type === 'invoice.paid');
    await stack.emulator.sendEvent(invoicePaid[invoicePaid.length - 1].id);
    await new Promise((r) => setTimeout(r, 300));
    expect(eventsOf(stack, 'order.paid', (d) => d.subscription?.id === session.subscription_id)).toHaveLength(3);

    const listed = await stack.http('GET', `/v1/subscriptions?customer_id=${customer.id}`, { token });
    expect(listed.json.data.map((s: any) => s.id)).toEqual([session.subscription_id]);
    expect(new Date(listed.json.data[0].current_period_start).toISOString()).toBe(periods[2].period_start);
  });

  it('a failed renewal reaches the partner as subscription.payment_failed and subscription.updated (past_due), with no invoice', async () => {
    const customer = await createCustomer(stack, token);
    const { session, active } = await subscribe(customer.id, 'ABO-2');
    await waitFor('the first order.paid', () => eventsOf(stack, 'order.paid', (d) => d.subscription?.id === session.subscription_id)[0]);
    await stack.emulator.renewSubscription(active.stripe_subscription_id, { card: 'insufficient_funds' });
    const failed = await waitFor('subscription.payment_failed', () => eventsOf(stack, 'subscription.payment_failed', (d) => d.subscription.id === session.subscription_id)[0]);
    // Why, from the PaymentIntent behind Stripe's invoice.
    expect(failed.data).toMatchObject({ amount_due: 2490, currency: 'eur', attempt_count: 1, decline_code: 'insufficient_funds' });
    expect(failed.data.stripe_invoice_id).toMatch(/^in_/);
    const updated = await waitFor('subscription.updated past_due', () => eventsOf(stack, 'subscription.updated', (d) => d.id === session.subscription_id && d.status === 'past_due')[0]);
    expect(updated.data.customer.id).toBe(customer.id);
    const orders = await stack.sql(`SELECT id FROM orders WHERE subscription_id = $1`, [session.subscription_id]);
    expect(orders).toHaveLength(1);
  });

  it('cancels at the period end (subscription.updated), then ends (subscription.canceled); cancelling now works too', async () => {
    const customer = await createCustomer(stack, token);
    const { session, active } = await subscribe(customer.id, 'ABO-3');
    const atEnd = await stack.http('POST', `/v1/subscriptions/${session.subscription_id}/cancel`, { token, body: { at_period_end: true } });
    expect(atEnd.status).toBe(200);
    expect(atEnd.json).toMatchObject({ id: session.subscription_id, status: 'active', cancel_at_period_end: true });
    await waitFor('subscription.updated', () => eventsOf(stack, 'subscription.updated', (d) => d.id === session.subscription_id && d.cancel_at_period_end)[0]);

    // The period ends: Stripe does not renew, it cancels.
    await stack.emulator.renewSubscription(active.stripe_subscription_id);
    const canceled = await waitFor('subscription.canceled', () => eventsOf(stack, 'subscription.canceled', (d) => d.id === session.subscription_id)[0]);
    expect(canceled.data.status).toBe('canceled');
    expect(canceled.data.ended_at).not.toBeNull();
    // Held in sequence per subscription, as an order's messages are: the update arrived before the cancellation.
    const lifecycle = stack.receiver.received.filter((r) => /^subscription\./.test(JSON.parse(r.body).type) && JSON.parse(r.body).data.id === session.subscription_id);
    expect(lifecycle.map((r) => JSON.parse(r.body).type)).toEqual(['subscription.updated', 'subscription.canceled']);
    const keys = await stack.sql<{ order_id: string }>(
      `SELECT DISTINCT d.order_id FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE m.type LIKE 'subscription.%' AND m.body::json->'data'->>'id' = $1`,
      [session.subscription_id],
    );
    expect(keys).toEqual([{ order_id: `subscription:${session.subscription_id}` }]);
    expect(eventsOf(stack, 'order.paid', (d) => d.subscription?.id === session.subscription_id)).toHaveLength(1);
    const again = await stack.http('POST', `/v1/subscriptions/${session.subscription_id}/cancel`, { token, body: {} });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('subscription_canceled');

    const other = await subscribe(customer.id, 'ABO-4');
    const now = await stack.http('POST', `/v1/subscriptions/${other.session.subscription_id}/cancel`, { token, body: { at_period_end: false } });
    expect(now.json.status).toBe('canceled');
    await waitFor('subscription.canceled now', () => eventsOf(stack, 'subscription.canceled', (d) => d.id === other.session.subscription_id)[0]);
    const listed = await stack.http('GET', `/v1/subscriptions?status=canceled&customer_id=${customer.id}`, { token });
    expect(listed.json.data).toHaveLength(2);
  });

  it('refuses recurring lines outside subscription mode, mixed intervals, and lines in setup mode', async () => {
    const customer = await createCustomer(stack, token);
    const cases = [
      { mode: 'payment', line_items: [monthly[0]] },
      { mode: 'subscription', line_items: [monthly[0], { ...monthly[1], recurring: { interval: 'year' } }] },
      { mode: 'subscription', line_items: [{ name: 'Sans récurrence', quantity: 1, unit_amount: 100 }] },
      { mode: 'setup', line_items: [monthly[0]] },
    ];
    for (const body of cases) {
      const res = await stack.http('POST', '/v1/checkout-sessions', { token, body: { ...body, customer_id: customer.id, success_url: 'https://shop.example.test/x' } });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
    }
    expect(await stack.sql(`SELECT id FROM subscriptions WHERE customer_id = $1`, [customer.id])).toHaveLength(0);
  });

  it('leaves no Stripe event of these flows unrouted or failed for the operator to look at', async () => {
    expect(await stuckStripeEvents(stack)).toEqual([]);
  });
});
