import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/**
 * A Stripe event is applied within the scope its routing gives it, and nowhere else: an event routed to one
 * partner that names a Checkout Session another partner's order holds leaves that order alone.
 */
describe('Payments: an event routed to one partner never reaches another partner order', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('a checkout.session.completed routed to partner A about partner B session leaves B order pending, with no invoice', async () => {
    const a = await stack.createPartner({ invoice_prefix: 'TRA' });
    const b = await stack.createPartner({ invoice_prefix: 'TRB' });
    const checkout = await stack.createCheckout(b.api_keys.test);
    const session = await stack.stripe('staging').checkout.sessions.retrieve(checkout.checkout_session_id);

    // B's session, paid, but its metadata names A and no order: the event is routed to A.
    const event = stack.emulator.buildEvent(
      'checkout.session.completed',
      { ...session, status: 'complete', payment_status: 'paid', metadata: { partner_id: a.id } },
      false,
    );
    expect((await stack.emulator.sendEvent(event.id)).status).toBe(200);

    const [done] = await waitFor('the event to be processed', async () =>
      (await stack.sql<{ status: string; partner_id: string | null }>(
        `SELECT status, partner_id FROM stripe_events WHERE id = $1 AND status <> 'received'`, [event.id])));
    expect(done.partner_id).toBe(a.id);

    const [order] = await stack.sql<{ partner_id: string; status: string }>('SELECT partner_id, status FROM orders WHERE id = $1', [checkout.order_id]);
    expect(order).toEqual({ partner_id: b.id, status: 'pending' });
    const invoices = await stack.sql<{ id: string }>('SELECT id FROM invoices WHERE order_id = $1 OR partner_id = $2', [checkout.order_id, a.id]);
    expect(invoices).toEqual([]);
    const messages = await stack.sql<{ id: string }>(`SELECT id FROM messages WHERE order_id = $1 AND type = 'order.paid'`, [checkout.order_id]);
    expect(messages).toEqual([]);
  });
});
