import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { ServiceProcess, WorkerOnPort, workerOnFreePort } from './support/service-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

const ORDERS = 40;
/** Counters a worker's /metrics moves only when it has processed a job. */
const JOB_COUNTERS = ['ca_stripe_events_processed_total', 'ca_pdf_rendered_total', 'ca_emails_total', 'ca_deliveries_total'];

/** Sums every sample of `names` in a Prometheus text exposition. */
function sumOf(text: string, names: string[]): number {
  return text
    .split('\n')
    .filter((line) => names.some((n) => line.startsWith(`${n} `) || line.startsWith(`${n}{`)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * Scale-out: two worker processes on the same PostgreSQL and Redis share a
 * burst of paid orders. Claims and idempotency, not process-local state, keep
 * each effect single: one paid order, one invoice with a gapless number, one
 * email and one delivery per endpoint of each webhook.
 */
(ServiceProcess.available() ? describe : describe.skip)('two worker processes', () => {
  let stack: TestStack;
  const workers: WorkerOnPort[] = [];

  beforeAll(async () => {
    // The in-process api takes the partner calls and Stripe's events; the two worker processes do the work.
    stack = await TestStack.start({ worker: false });
    for (let i = 0; i < 2; i++) workers.push(await workerOnFreePort(stack));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.process.stop('SIGKILL')));
    await stack?.stop();
  }, 120_000);

  it('relays a burst of paid orders once each, with both workers doing the work', async () => {
    const partner = await stack.createPartner({ invoice_prefix: `W${randomBytes(2).toString('hex').toUpperCase()}` });
    const token = partner.api_keys.test;
    const endpoints = await Promise.all([stack.createEndpoint(token), stack.createEndpoint(token, `${stack.receiverUrl}-2`)]);
    for (const w of workers) w.process.start();
    await Promise.all(workers.map((w) => w.ready()));

    const checkouts = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) => stack.createCheckout(token, { customer: { email: `buyer${i}@two.test` }, partner_order_ref: `TW-${i}` })),
    );
    await Promise.all(checkouts.map((c) => stack.emulator.completeCheckoutSession(c.checkout_session_id)));

    // Facts first: every order paid, its invoice emailed, and both webhooks of each order delivered on both endpoints.
    const orderIds = checkouts.map((c) => c.order_id);
    const expectedDeliveries = ORDERS * 2 * endpoints.length;
    await waitFor('every order paid, emailed and announced', async () => {
      const [r] = await stack.sql<{ paid: number; emailed: number; delivered: number }>(
        `SELECT count(*) FILTER (WHERE o.status = 'paid')::int AS paid,
                count(*) FILTER (WHERE i.emailed_at IS NOT NULL)::int AS emailed,
                (SELECT count(*)::int FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE m.order_id = ANY($1) AND d.status = 'delivered') AS delivered
           FROM orders o LEFT JOIN invoices i ON i.order_id = o.id WHERE o.id = ANY($1)`,
        [orderIds],
      );
      return r.paid === ORDERS && r.emailed === ORDERS && r.delivered === expectedDeliveries;
    }, 120_000, 200);

    // One invoice per order, numbered 1..N without a gap.
    const invoices = await stack.sql<{ sequence: number; order_id: string }>(`SELECT sequence, order_id FROM invoices WHERE partner_id = $1 ORDER BY sequence`, [partner.id]);
    expect(invoices.map((r) => r.sequence)).toEqual(Array.from({ length: ORDERS }, (_, i) => i + 1));
    expect(new Set(invoices.map((r) => r.order_id)).size).toBe(ORDERS);
    // One email per invoice, each under its own Message-ID.
    expect(stack.smtp.messages).toHaveLength(ORDERS);
    expect(new Set(stack.smtp.messages.map((m) => m.messageId)).size).toBe(ORDERS);

    // Each endpoint received each message once: no webhook-id twice (the receiver never failed, so nothing was retried).
    for (const [i, endpoint] of endpoints.entries()) {
      const path = new URL(i === 0 ? stack.receiverUrl : `${stack.receiverUrl}-2`).pathname;
      const mine = stack.receiver.received.filter((r) => r.path === path);
      expect(mine).toHaveLength(ORDERS * 2);
      expect(new Set(mine.map((r) => String(r.headers['webhook-id']))).size).toBe(ORDERS * 2);
      const verifier = new Webhook(endpoint.secret);
      const events = mine.map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as { type: string; data: { id: string; order_id?: string } });
      // Each order's messages keep their order on each endpoint: order.paid before invoice.issued.
      for (const c of checkouts) {
        const seen = events.map((e) => (e.type === 'order.paid' ? e.data.id : e.data.order_id) === c.order_id ? e.type : null).filter(Boolean);
        expect(seen).toEqual(['order.paid', 'invoice.issued']);
      }
    }
    const [attempts] = await stack.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN messages m ON m.id = d.message_id WHERE m.order_id = ANY($1)`,
      [orderIds],
    );
    expect(attempts.n).toBe(expectedDeliveries);

    // Both processes took jobs: each one's own /metrics counted processed work.
    const done = await Promise.all(workers.map(async (w) => sumOf(await (await fetch(`http://127.0.0.1:${w.port}/metrics`)).text(), JOB_COUNTERS)));
    for (const n of done) expect(n).toBeGreaterThan(0);
  }, 300_000);
});
