import { createCustomer, eventsOf, post, stuckStripeEvents, startPaymentsStack } from './support/payment-fixtures';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Seed 002: the Payment Element, with the amount computed on our side and changeable until the customer pays. */
describe('payments: Payment Element intents', () => {
  let stack: TestStack;
  let token: string;

  beforeAll(async () => {
    ({ stack, token } = await startPaymentsStack());
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates the order and the intent from the basket, updates both while unpaid, and the paid intent becomes an invoiced order', async () => {
    const customer = await createCustomer(stack, token);
    const created = await post(stack, token, '/v1/payment-intents', {
      customer_id: customer.id,
      line_items: [{ name: 'Lampe Aurore', quantity: 2, unit_amount: 4990 }],
      partner_order_ref: 'PE-1',
    });
    expect(created).toMatchObject({ object: 'payment_intent', status: 'requires_payment_method', amount_total: 9980, customer_id: customer.id });
    expect(created.id).toMatch(/^pi_/);
    expect(created.client_secret).toMatch(new RegExp(`^${created.id}_secret_`));
    const onStripe = await stack.stripe().paymentIntents.retrieve(created.id);
    expect(onStripe).toMatchObject({ amount: 9980, currency: 'eur', metadata: { order_id: created.order_id } });

    // Seed 002's "montant modifié après création": the basket changed before payment.
    const patched = await stack.http('PATCH', `/v1/payment-intents/${created.id}`, {
      token,
      body: { line_items: [{ name: 'Lampe Aurore', quantity: 3, unit_amount: 4990 }, { name: 'Ampoule LED', quantity: 1, unit_amount: 590 }] },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ id: created.id, order_id: created.order_id, amount_total: 15560 });
    expect((await stack.stripe().paymentIntents.retrieve(created.id)).amount).toBe(15560);

    await stack.emulator.confirmPaymentIntent(created.id, { card: 'visa' });
    const paid = await waitFor('order.paid', () => eventsOf(stack, 'order.paid', (d) => d.id === created.order_id)[0]);
    expect(paid.data).toMatchObject({ source: 'payment_element', amount_total: 15560, partner_order_ref: 'PE-1' });
    expect(paid.data.line_items).toHaveLength(2);
    const [invoice] = await stack.sql<{ amount_total: string }>(`SELECT amount_total FROM invoices WHERE order_id = $1`, [created.order_id]);
    expect(Number(invoice.amount_total)).toBe(15560);

    // Paid: the basket can no longer change, and the refusal changes nothing.
    const late = await stack.http('PATCH', `/v1/payment-intents/${created.id}`, { token, body: { line_items: [{ name: 'Rien', quantity: 1, unit_amount: 100 }] } });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe('payment_not_updatable');
    expect((await stack.http('GET', `/v1/orders/${created.order_id}`, { token })).json.amount_total).toBe(15560);
  });

  it('never takes an amount from the caller, and refuses a call without a customer or with both forms', async () => {
    const customer = await createCustomer(stack, token);
    const withAmount = await stack.http('POST', '/v1/payment-intents', {
      token,
      body: { customer_id: customer.id, amount: 1, line_items: [{ name: 'Lampe', quantity: 1, unit_amount: 4990 }] },
    });
    expect(withAmount.status).toBe(400);
    expect(withAmount.json.error.message).toMatch(/amount/);
    const neither = await stack.http('POST', '/v1/payment-intents', { token, body: { line_items: [{ name: 'Lampe', quantity: 1, unit_amount: 4990 }] } });
    expect(neither.status).toBe(400);
    expect(neither.json.error.details[0].field).toBe('customer_id');
    const both = await stack.http('POST', '/v1/payment-intents', {
      token,
      body: { customer_id: customer.id, customer: { email: 'a@example.test' }, line_items: [{ name: 'Lampe', quantity: 1, unit_amount: 4990 }] },
    });
    expect(both.status).toBe(400);
    expect(await stack.sql(`SELECT id FROM orders WHERE customer_id = $1`, [customer.id])).toHaveLength(0);
  });

  it('a declined attempt fails the order and tells the partner; the customer may then pay with another card', async () => {
    const created = await post(stack, token, '/v1/payment-intents', {
      customer: { email: 'noe@example.test', name: 'Noé' },
      line_items: [{ name: 'Suspension Opaline', quantity: 1, unit_amount: 12900 }],
    });
    await stack.emulator.confirmPaymentIntent(created.id, { card: 'insufficient_funds' });
    const failed = await waitFor('order.payment_failed', () => eventsOf(stack, 'order.payment_failed', (d) => d.id === created.order_id)[0]);
    expect(failed.data).toMatchObject({ decline_code: 'insufficient_funds', next_action: null, source: 'payment_element' });

    await stack.emulator.confirmPaymentIntent(created.id, { card: 'visa' });
    await waitFor('order.paid', () => eventsOf(stack, 'order.paid', (d) => d.id === created.order_id)[0]);
    expect((await stack.http('GET', `/v1/payment-intents/${created.id}`, { token })).json).toMatchObject({ status: 'succeeded', order_id: created.order_id });
  });

  it('leaves no Stripe event of these flows unrouted or failed for the operator to look at', async () => {
    expect(await stuckStripeEvents(stack)).toEqual([]);
  });
});
