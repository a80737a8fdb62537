import { RetentionService } from '../apps/worker/src/retention.service';
import { paidOrder } from './support/partner-fixtures';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Tables that grow with traffic are pruned after RETENTION_DAYS; legal records never are. */
describe('retention', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ env: { RETENTION_DAYS: '30' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('prunes old attempts, settled messages and processed events, and keeps orders, invoices and unrouted events', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'RET' });
    await stack.createEndpoint(partner.api_keys.test);
    const old = await paidOrder(stack, partner.api_keys.test, 'OLD');
    await waitFor('old deliveries settled', async () => (await stack.sql(`SELECT 1 FROM deliveries WHERE status = 'pending'`)).length === 0 && (await stack.sql('SELECT 1 FROM deliveries')).length === 2);
    const orphan = stack.emulator.buildEvent('checkout.session.completed', { object: 'checkout.session', id: 'cs_test_ret', metadata: {} }, false);
    await stack.emulator.sendEvent(orphan.id);
    await waitFor('unrouted', async () => (await stack.sql(`SELECT 1 FROM stripe_events WHERE status = 'unrouted'`)).length === 1);
    // Everything so far becomes 40 days old.
    const aged = `now() - interval '40 days'`;
    for (const sql of [
      `UPDATE attempts SET attempted_at = ${aged}`,
      `UPDATE deliveries SET created_at = ${aged}`,
      `UPDATE messages SET created_at = ${aged}`,
      `UPDATE stripe_events SET received_at = ${aged}`,
    ]) await stack.sql(sql);
    const recent = await paidOrder(stack, partner.api_keys.test, 'NEW');
    await waitFor('recent deliveries settled', async () => (await stack.sql(`SELECT 1 FROM deliveries WHERE status = 'pending'`)).length === 0 && (await stack.sql('SELECT 1 FROM deliveries')).length === 4);

    const report = await stack.worker!.get(RetentionService).prune();
    expect(report).toMatchObject({ messages: 2, deliveries: 2 });
    expect(report.stripeEvents).toBeGreaterThanOrEqual(2);
    const messages = await stack.sql<{ order_id: string }>('SELECT order_id FROM messages');
    expect(new Set(messages.map((m) => m.order_id))).toEqual(new Set([recent.orderId]));
    expect((await stack.sql(`SELECT 1 FROM attempts WHERE attempted_at < now() - interval '30 days'`)).length).toBe(0);
    // Legal records and unrouted events stay.
    expect((await stack.sql('SELECT id FROM orders')).length).toBe(2);
    expect((await stack.sql('SELECT id FROM invoices WHERE order_id = $1', [old.orderId])).length).toBe(1);
    expect((await stack.sql('SELECT 1 FROM invoice_pdfs')).length).toBe(2);
    expect((await stack.sql(`SELECT 1 FROM stripe_events WHERE status = 'unrouted'`)).length).toBe(1);
    // The partner API still serves the old order and its invoice.
    expect((await stack.http('GET', `/v1/invoices/${old.invoiceId}/pdf`, { token: partner.api_keys.test })).status).toBe(200);
  });
});
