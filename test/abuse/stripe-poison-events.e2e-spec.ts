import { ADMIN_TOKEN, TestStack } from '../support/test-stack';
import { waitFor } from '../support/wait-for';

interface EventRow {
  status: string;
  attempts: number;
  last_error: string | null;
  failed_at: Date | null;
}

/**
 * A Stripe event whose processing throws on every attempt (here: a real PostgreSQL constraint refusing its
 * invoice) must end `failed`, visible and retryable, instead of staying `received` for ever; the sweeper
 * must leave it alone and still reschedule events whose job was lost.
 */
describe('abuse: Stripe events that fail on every attempt', () => {
  let stack: TestStack;
  let partner: { id: string; api_keys: { test: string; live: string } };

  beforeAll(async () => {
    stack = await TestStack.start({ env: { STRIPE_EVENT_MAX_ATTEMPTS: '3' } });
    partner = await stack.createPartner({ invoice_prefix: 'PSN' });
    await stack.createEndpoint(partner.api_keys.test);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const admin = (method: string, path: string) => stack.http(method, path, { token: ADMIN_TOKEN });
  const eventRow = async (id: string) => (await stack.sql<EventRow>('SELECT status, attempts, last_error, failed_at FROM stripe_events WHERE id = $1', [id]))[0];
  const orderStatus = async (id: string) => (await stack.sql<{ status: string }>('SELECT status FROM orders WHERE id = $1', [id]))[0].status;

  async function paidEventFor(orderRef: string) {
    const checkout = await stack.createCheckout(partner.api_keys.test, { partner_order_ref: orderRef });
    stack.emulator.setAutoSend(false);
    const events = await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    stack.emulator.setAutoSend(true);
    return { checkout, event: events.find((e) => e.type === 'checkout.session.completed')! };
  }

  it('ends failed with a sanitised error, is counted, listed and retried; the sweeper leaves it and finds lost jobs', async () => {
    const poisoned = await paidEventFor('CMD-POISON');
    // The fault is real: PostgreSQL refuses this order's invoice, so the paid event's transaction fails every time.
    await stack.sql(`ALTER TABLE invoices ADD CONSTRAINT poison_for_test CHECK (order_id <> '${poisoned.checkout.order_id}') NOT VALID`);
    expect((await stack.emulator.sendEvent(poisoned.event.id)).status).toBe(200);

    const failed = await waitFor('the event marked failed', async () => {
      const row = await eventRow(poisoned.event.id);
      return row.status === 'failed' ? row : null;
    });
    expect(failed.attempts).toBe(3);
    expect(failed.last_error).toContain('poison_for_test');
    expect(failed.last_error).not.toContain('camille');
    expect(await orderStatus(poisoned.checkout.order_id)).toBe('pending');

    const overview = await admin('GET', '/admin/overview');
    expect(overview.json).toMatchObject({ failed_events: 1, events_waiting: 0 });
    const listed = await admin('GET', '/admin/events?status=failed');
    expect(listed.status).toBe(200);
    expect(listed.json.data).toEqual([expect.objectContaining({ id: poisoned.event.id, status: 'failed', attempts: 3, last_error: failed.last_error })]);
    expect(listed.json.data[0]).not.toHaveProperty('payload');
    expect(JSON.stringify(listed.json)).not.toMatch(/camille|whsec_|cs_test_/);

    // A pending event whose job never reached Redis (committed, enqueue lost): the sweeper schedules it.
    const lost = await paidEventFor('CMD-LOST');
    await stack.sql(`INSERT INTO stripe_events (id, type, livemode, payload, received_at) VALUES ($1, $2, false, $3::json, now() - interval '5 seconds')`, [
      lost.event.id,
      lost.event.type,
      JSON.stringify(lost.event),
    ]);
    await waitFor('the lost event processed by the sweeper', async () => (await eventRow(lost.event.id)).status === 'processed');
    expect(await orderStatus(lost.checkout.order_id)).toBe('paid');
    // That sweep ran after the failure and left the failed event alone.
    expect(await eventRow(poisoned.event.id)).toMatchObject({ status: 'failed', attempts: 3 });

    // Retried while still broken: it runs again and fails again, visibly.
    expect((await admin('POST', `/admin/events/${poisoned.event.id}/retry`)).status).toBe(202);
    const again = await waitFor('the retried event failed again', async () => {
      const row = await eventRow(poisoned.event.id);
      return row.status === 'failed' && row.failed_at! > failed.failed_at! ? row : null;
    });
    expect(again.attempts).toBe(3);

    // The cause removed, a retry processes it: paid, one invoice, announced once.
    await stack.sql('ALTER TABLE invoices DROP CONSTRAINT poison_for_test');
    expect((await admin('POST', `/admin/events/${poisoned.event.id}/retry`)).json).toEqual({ id: poisoned.event.id, object: 'stripe_event', status: 'received' });
    await waitFor('the retried event processed', async () => (await eventRow(poisoned.event.id)).status === 'processed');
    expect(await orderStatus(poisoned.checkout.order_id)).toBe('paid');
    await waitFor('invoice.issued', () => stack.receiver.ofType('invoice.issued').find((r) => JSON.parse(r.body).data.order_id === poisoned.checkout.order_id));
    expect(await stack.sql('SELECT number FROM invoices WHERE order_id = $1', [poisoned.checkout.order_id])).toHaveLength(1);
    expect((await admin('GET', '/admin/overview')).json.failed_events).toBe(0);
  });

  it('refuses what cannot be retried, and bad list queries, with stable codes', async () => {
    const processed = (await stack.sql<{ id: string }>(`SELECT id FROM stripe_events WHERE status = 'processed' LIMIT 1`))[0].id;
    expect((await admin('POST', `/admin/events/${processed}/retry`)).json.error.code).toBe('conflict');
    expect((await admin('POST', '/admin/events/evt_unknown/retry')).json.error.code).toBe('not_found');
    const malformed = await admin('POST', '/admin/events/evt_%00x/retry');
    expect([malformed.status, malformed.json.error.code, malformed.json.error.details[0].field]).toEqual([400, 'validation_failed', 'id']);
    expect((await stack.http('POST', `/admin/events/${processed}/retry`, { token: partner.api_keys.test })).status).toBe(401);
    const outOfRange = Buffer.from('-271821-04-20T00:00:00.000Z|evt_x').toString('base64url');
    for (const query of ['status=exploded', 'limit=0', 'limit=abc', `cursor=${outOfRange}`, 'cursor=%00', 'cursor=bm90LWEtY3Vyc29y']) {
      const res = await admin('GET', `/admin/events?${query}`);
      expect({ query, status: res.status, code: res.json.error.code }).toEqual({ query, status: 400, code: 'validation_failed' });
    }
  });

  it('pages every event once, newest first', async () => {
    const all = (await stack.sql<{ id: string }>('SELECT id FROM stripe_events')).map((r) => r.id).sort();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: { data: { id: string }[]; next_cursor: string | null } } = await admin('GET', `/admin/events?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.json.data.map((e) => e.id));
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(all);
  });
});
