import { messagesOf, paidOrder, TestPartner } from './support/partner-fixtures';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** What partners can read of orders, invoices and messages, and how they get missed messages again. */
describe('partner API: orders, invoices, messages, replay', () => {
  let stack: TestStack;
  let partner: TestPartner;
  let endpointId: string;
  const orders: { orderId: string; invoiceId: string; invoiceNumber: string; ref: string }[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({ env: { WEBHOOK_MAX_ATTEMPTS: '1' } });
    partner = await stack.createPartner({ invoice_prefix: 'MSG' });
    endpointId = (await stack.createEndpoint(partner.api_keys.test)).id;
    for (let i = 0; i < 3; i++) orders.push(await paidOrder(stack, partner.api_keys.test, `LIST-${i}`));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('lists orders newest first with filters and a cursor that neither repeats nor skips', async () => {
    const token = partner.api_keys.test;
    const first = await stack.http('GET', '/v1/orders?limit=2', { token });
    expect(first.json.data.map((o: { id: string }) => o.id)).toEqual([orders[2].orderId, orders[1].orderId]);
    expect(first.json.has_more).toBe(true);
    const second = await stack.http('GET', `/v1/orders?limit=2&cursor=${first.json.next_cursor}`, { token });
    expect(second.json.data.map((o: { id: string }) => o.id)).toEqual([orders[0].orderId]);
    expect(second.json).toMatchObject({ has_more: false, next_cursor: null });

    const byRef = await stack.http('GET', '/v1/orders?partner_order_ref=LIST-1', { token });
    expect(byRef.json.data).toHaveLength(1);
    expect(byRef.json.data[0]).toMatchObject({ id: orders[1].orderId, status: 'paid', invoice: { number: orders[1].invoiceNumber } });
    expect((await stack.http('GET', '/v1/orders?status=failed', { token })).json.data).toEqual([]);
    expect((await stack.http('GET', '/v1/orders?customer_email=CAMILLE@example.test', { token })).json.data).toHaveLength(3);
    expect((await stack.http('GET', `/v1/orders?created_after=${new Date(Date.now() + 60_000).toISOString()}`, { token })).json.data).toEqual([]);
    const bad = await stack.http('GET', '/v1/orders?cursor=bm9wZQ&status=lost', { token });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { field: string }) => d.field)).toContain('status');
    expect((await stack.http('GET', '/v1/orders?cursor=bm9wZQ', { token })).json.error.details[0].field).toBe('cursor');
  });

  it('lists invoices and emails one again to another address', async () => {
    const token = partner.api_keys.test;
    const invoices = await stack.http('GET', '/v1/invoices?limit=10', { token });
    expect(invoices.json.data.map((i: { number: string }) => i.number)).toEqual(orders.map((o) => o.invoiceNumber).reverse());
    expect((await stack.http('GET', `/v1/invoices?order_id=${orders[0].orderId}`, { token })).json.data).toHaveLength(1);

    const before = stack.smtp.messages.length;
    const sent = await stack.http('POST', `/v1/invoices/${orders[0].invoiceId}/send`, { token, body: { to: 'expert-comptable@example.test' } });
    expect(sent.status).toBe(200);
    expect(sent.json.to).toBe('expert-comptable@example.test');
    const mail = await waitFor('the resent email', () => stack.smtp.messages.slice(before).find((m) => JSON.stringify(m.to).includes('expert-comptable')));
    expect(mail.subject).toContain(orders[0].invoiceNumber);
    expect(mail.attachments[0].filename).toBe(`${orders[0].invoiceNumber}.pdf`);
  });

  it('lists messages with filters, shows one with its deliveries and attempts', async () => {
    const token = partner.api_keys.test;
    await waitFor('all deliveries settled', async () => (await stack.sql(`SELECT 1 FROM deliveries WHERE status = 'pending'`)).length === 0);
    const all = await stack.http('GET', '/v1/messages?limit=100', { token });
    expect(all.json.data).toHaveLength(6);
    const paid = await stack.http('GET', `/v1/messages?type=order.paid&order_id=${orders[1].orderId}`, { token });
    expect(paid.json.data).toHaveLength(1);
    const message = await stack.http('GET', `/v1/messages/${paid.json.data[0].id}`, { token });
    expect(message.json).toMatchObject({ type: 'order.paid', order_id: orders[1].orderId, payload: { type: 'order.paid', data: { id: orders[1].orderId } } });
    expect(message.json.deliveries).toEqual([expect.objectContaining({ endpoint_id: endpointId, status: 'delivered', attempts: 1 })]);
    const attempts = await stack.http('GET', `/v1/messages/${paid.json.data[0].id}/attempts`, { token });
    expect(attempts.json.data).toEqual([expect.objectContaining({ status_code: 200, endpoint_id: endpointId })]);
  });

  it('resends a message with its original webhook-id', async () => {
    const token = partner.api_keys.test;
    const [paidMessage] = (await messagesOf(stack, orders[2].orderId)).filter((m) => m.type === 'order.paid');
    const before = stack.receiver.received.filter((r) => r.headers['webhook-id'] === paidMessage.id).length;
    const res = await stack.http('POST', `/v1/messages/${paidMessage.id}/resend`, { token, body: { endpoint_id: endpointId } });
    expect(res.status).toBe(202);
    expect(res.json.scheduled).toBe(1);
    await waitFor('the resent message', () => stack.receiver.received.filter((r) => r.headers['webhook-id'] === paidMessage.id).length === before + 1);
    const attempts = await stack.http('GET', `/v1/messages/${paidMessage.id}/attempts`, { token });
    expect(attempts.json.data).toHaveLength(2);
  });

  it('recovers 20 messages missed while the receiver was down, in order, with their original ids', async () => {
    const token = partner.api_keys.test;
    const since = new Date(Date.now() - 1000);
    const lone = await stack.createPartner({ invoice_prefix: 'REC' });
    const endpoint = await stack.createEndpoint(lone.api_keys.test, stack.receiverUrl, { event_types: ['order.paid'] });
    // Down: every request answered 503 until it comes back.
    stack.receiver.setHandler(() => 503);
    const missed: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { orderId } = await paidOrder(stack, lone.api_keys.test, `REC-${i}`);
      const [m] = (await messagesOf(stack, orderId)).filter((x) => x.type === 'order.paid');
      missed.push(m.id);
    }
    // The first ones fail; after 10 failures the circuit opens and the rest wait untried.
    await waitFor('the circuit open', async () => (await stack.sql(`SELECT 1 FROM endpoints WHERE id = $1 AND circuit_state = 'open'`, [endpoint.id])).length === 1);
    expect((await stack.sql(`SELECT 1 FROM deliveries WHERE endpoint_id = $1 AND status = 'delivered'`, [endpoint.id])).length).toBe(0);
    // Paused while the receiver comes back, so no circuit probe races the recovery.
    expect((await stack.http('POST', `/v1/endpoints/${endpoint.id}/disable`, { token: lone.api_keys.test })).json.enabled).toBe(false);
    stack.receiver.setHandler(undefined);
    const before = stack.receiver.received.length;
    const res = await stack.http('POST', `/v1/endpoints/${endpoint.id}/recover`, { token: lone.api_keys.test, body: { since: since.toISOString() } });
    expect(res.json.scheduled).toBe(20);
    expect((await stack.http('POST', `/v1/endpoints/${endpoint.id}/enable`, { token: lone.api_keys.test })).json).toMatchObject({ enabled: true, backlog: 20 });
    // At-least-once: a probe in flight when the endpoint came back may arrive twice; partners dedupe on webhook-id.
    const firstArrivals = () => [...new Set(stack.receiver.received.slice(before).map((x) => String(x.headers['webhook-id'])).filter((id) => missed.includes(id)))];
    const got = await waitFor('20 recovered messages', () => (firstArrivals().length === 20 ? firstArrivals() : null), 30_000);
    expect(got).toEqual(missed);
    expect(token).toBeDefined();
  });
});
