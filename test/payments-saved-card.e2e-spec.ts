import { createCustomer, eventsOf, post, stuckStripeEvents, saveCard, startPaymentsStack } from './support/payment-fixtures';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Seeds 000 and 003: a customer known once, a card saved now, charged later without the customer. */
describe('payments: customers and saved cards charged later', () => {
  let stack: TestStack;
  let token: string;

  beforeAll(async () => {
    ({ stack, token } = await startPaymentsStack());
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const basket = { line_items: [{ name: 'Box mensuelle', quantity: 1, unit_amount: 2990 }], partner_order_ref: 'BOX-1' };

  it('creates a customer once per external_id: a repeat updates it, on Stripe too, and it can be found by external_id', async () => {
    const first = await stack.http('POST', '/v1/customers', { token, body: { external_id: 'user-1', email: 'lea@example.test', name: 'Léa' } });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ object: 'customer', external_id: 'user-1', email: 'lea@example.test', locale: 'fr', payment_method: null });
    expect(first.json.id).toMatch(/^cust_/);
    expect(first.json.stripe_customer_id).toMatch(/^cus_/);

    const again = await stack.http('POST', '/v1/customers', {
      token,
      body: { external_id: 'user-1', email: 'lea.martin@example.test', locale: 'en', address: { line1: '3 quai Saint-Antoine', postal_code: '69002', city: 'Lyon', country: 'FR' } },
    });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, stripe_customer_id: first.json.stripe_customer_id, email: 'lea.martin@example.test', locale: 'en', name: 'Léa' });

    const onStripe = await stack.stripe().customers.retrieve(first.json.stripe_customer_id);
    expect(onStripe).toMatchObject({ email: 'lea.martin@example.test', preferred_locales: ['en'], address: { city: 'Lyon', postal_code: '69002' } });

    const found = await stack.http('GET', '/v1/customers?external_id=user-1', { token });
    expect(found.json.data.map((c: any) => c.id)).toEqual([first.json.id]);
    expect((await stack.http('GET', `/v1/customers/${first.json.id}`, { token })).json.email).toBe('lea.martin@example.test');
  });

  it('refuses bad customer input with the field named, and another partner cannot see the customer', async () => {
    const bad = await stack.http('POST', '/v1/customers', { token, body: { external_id: 'x', email: 'not-an-email', business: { name: 'ACME', siren: '12' } } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('validation_failed');
    expect(bad.json.error.details.map((d: any) => d.field).sort()).toEqual(['business.siren', 'email']);

    const customer = await createCustomer(stack, token);
    const other = (await stack.createPartner({ invoice_prefix: 'OTH' })).api_keys.test;
    expect((await stack.http('GET', `/v1/customers/${customer.id}`, { token: other })).status).toBe(404);
    expect((await stack.http('POST', `/v1/customers/${customer.id}/charges`, { token: other, body: basket })).status).toBe(404);
  });

  it('saves a card with a setup-mode checkout, tells the partner once, and charges it later into a paid, invoiced order', async () => {
    const customer = await createCustomer(stack, token);
    const noCard = await stack.http('POST', `/v1/customers/${customer.id}/charges`, { token, body: basket });
    expect(noCard.status).toBe(409);
    expect(noCard.json.error.code).toBe('payment_method_missing');
    expect(await stack.sql(`SELECT id FROM orders WHERE customer_id = $1`, [customer.id])).toHaveLength(0);

    const session = await saveCard(stack, token, customer.id);
    expect(session).toMatchObject({ mode: 'setup', customer_id: customer.id });
    expect(session.order_id).toBeUndefined();
    const saved = await waitFor('customer.payment_method_saved', () => eventsOf(stack, 'customer.payment_method_saved', (d) => d.customer.id === customer.id)[0]);
    expect(saved.data).toMatchObject({ customer: { external_id: customer.external_id }, payment_method: { type: 'card', last4: '4242' } });
    expect(saved.data.setup_intent_id).toMatch(/^seti_/);
    // Stripe reports the setup twice (setup_intent.succeeded, checkout.session.completed): the partner hears once.
    await new Promise((r) => setTimeout(r, 300));
    expect(eventsOf(stack, 'customer.payment_method_saved', (d) => d.customer.id === customer.id)).toHaveLength(1);
    // Stripe's default card is the saved one too.
    const onStripe = await stack.stripe().customers.retrieve(customer.stripe_customer_id);
    expect((onStripe as any).invoice_settings.default_payment_method).toBe(saved.data.payment_method.id);

    const charge = await post(stack, token, `/v1/customers/${customer.id}/charges`, basket, { 'idempotency-key': 'box-2026-11' });
    expect(charge).toMatchObject({ object: 'charge', status: 'succeeded', amount_total: 2990, failure: null });
    const paid = await waitFor('order.paid', () => eventsOf(stack, 'order.paid', (d) => d.id === charge.order_id)[0]);
    expect(paid.data).toMatchObject({ source: 'off_session_charge', amount_total: 2990, partner_order_ref: 'BOX-1', stripe: { payment_intent_id: charge.payment_intent_id } });
    expect(paid.data.invoice.number).toMatch(/^TEST-ATL-/);
    await waitFor('the invoice email', () => stack.smtp.messages.find((m) => m.subject?.includes(paid.data.invoice.number)));
  });

  it('charges once for two calls with the same Idempotency-Key, even sent together', async () => {
    const customer = await createCustomer(stack, token);
    await saveCard(stack, token, customer.id);
    const headers = { 'idempotency-key': `renewal-${customer.id}` };
    const [a, b] = await Promise.all([
      stack.http('POST', `/v1/customers/${customer.id}/charges`, { token, body: basket, headers }),
      stack.http('POST', `/v1/customers/${customer.id}/charges`, { token, body: basket, headers }),
    ]);
    // One does the work; the other is told it is in progress (409) or gets the same answer replayed.
    const done = [a, b].filter((r) => r.status === 201);
    expect(done.length).toBeGreaterThanOrEqual(1);
    for (const r of [a, b]) expect([201, 409]).toContain(r.status);
    const replay = await stack.http('POST', `/v1/customers/${customer.id}/charges`, { token, body: basket, headers });
    expect(replay.status).toBe(201);
    expect(replay.json.order_id).toBe(done[0].json.order_id);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    await waitFor('order.paid', () => eventsOf(stack, 'order.paid', (d) => d.id === replay.json.order_id)[0]);
    const orders = await stack.sql(`SELECT id FROM orders WHERE customer_id = $1`, [customer.id]);
    expect(orders).toHaveLength(1);
    const intents = await stack.stripe().paymentIntents.list({ customer: customer.stripe_customer_id });
    expect(intents.data.filter((pi) => pi.status === 'succeeded')).toHaveLength(1);
  });

  it('a charge whose answer was lost (the api died after Stripe charged) retried with its key charges once and names the same order', async () => {
    const customer = await createCustomer(stack, token);
    await saveCard(stack, token, customer.id);
    const headers = { 'idempotency-key': `lost-${customer.id}` };
    const first = await post(stack, token, `/v1/customers/${customer.id}/charges`, basket, headers);
    // What a crash between Stripe's answer and ours leaves: the charge and the order, but no recorded response.
    await stack.sql(`DELETE FROM idempotency_keys WHERE key = $1`, [headers['idempotency-key']]);
    const retried = await stack.http('POST', `/v1/customers/${customer.id}/charges`, { token, body: basket, headers });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(retried.json).toMatchObject({ order_id: first.order_id, payment_intent_id: first.payment_intent_id, status: 'succeeded' });
    await waitFor('order.paid', () => eventsOf(stack, 'order.paid', (d) => d.id === first.order_id)[0]);
    expect(await stack.sql(`SELECT id FROM orders WHERE customer_id = $1`, [customer.id])).toHaveLength(1);
    const intents = await stack.stripe().paymentIntents.list({ customer: customer.stripe_customer_id });
    expect(intents.data).toHaveLength(1);
  });

  it('a charge the bank wants authenticated fails cleanly: order failed, the partner told why and what to do', async () => {
    const customer = await createCustomer(stack, token);
    await saveCard(stack, token, customer.id, 'authentication_required');
    const charge = await post(stack, token, `/v1/customers/${customer.id}/charges`, basket, { 'idempotency-key': `auth-${customer.id}` });
    expect(charge).toMatchObject({
      status: 'failed',
      failure: { reason: 'authentication_required', decline_code: 'authentication_required', next_action: 'customer_action_required' },
    });
    const failed = await waitFor('order.payment_failed', () => eventsOf(stack, 'order.payment_failed', (d) => d.id === charge.order_id)[0]);
    expect(failed.data).toMatchObject({ status: 'failed', source: 'off_session_charge', decline_code: 'authentication_required', next_action: 'customer_action_required' });
    const order = await stack.http('GET', `/v1/orders/${charge.order_id}`, { token });
    expect(order.json).toMatchObject({ status: 'failed', decline_code: 'authentication_required', invoice: null });
    expect(await stack.sql(`SELECT id FROM invoices WHERE order_id = $1`, [charge.order_id])).toHaveLength(0);
  });

  it('a declined card gives the decline code; a removed card cannot be charged any more', async () => {
    const customer = await createCustomer(stack, token);
    await saveCard(stack, token, customer.id, 'insufficient_funds');
    const charge = await post(stack, token, `/v1/customers/${customer.id}/charges`, basket);
    expect(charge.failure).toMatchObject({ reason: 'card_declined', decline_code: 'insufficient_funds' });
    await waitFor('order.payment_failed', () => eventsOf(stack, 'order.payment_failed', (d) => d.id === charge.order_id)[0]);

    const removed = await stack.http('DELETE', `/v1/customers/${customer.id}/payment-method`, { token });
    expect(removed.status).toBe(200);
    expect(removed.json.payment_method).toBeNull();
    const after = await stack.http('POST', `/v1/customers/${customer.id}/charges`, { token, body: basket });
    expect(after.status).toBe(409);
    expect(after.json.error.code).toBe('payment_method_missing');
    expect((await stack.http('DELETE', `/v1/customers/${customer.id}/payment-method`, { token })).status).toBe(409);
  });

  it('leaves no Stripe event of these flows unrouted or failed for the operator to look at', async () => {
    expect(await stuckStripeEvents(stack)).toEqual([]);
  });
});
