import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { ServiceProcess } from './support/service-process';
import { STRIPE_WEBHOOK_SECRET, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

const EVENTS = 500;
const API_PORT = 13880 + Math.floor(Math.random() * 100);

/**
 * SIGTERM to the api and the worker in the middle of a burst of 500 Stripe
 * events: the api finishes what it accepted, the worker finishes or returns
 * its jobs, and after a restart every order is paid once, invoiced once and
 * emailed once. Stripe's side retries whatever was not acknowledged.
 */
(ServiceProcess.available() ? describe : describe.skip)('graceful shutdown under load', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  let api: ServiceProcess;
  let worker: ServiceProcess;

  beforeAll(async () => {
    // The in-process api prepares the data; the processes under test do the work.
    stack = await TestStack.start({ worker: false });
    env = stack.processEnv({
      PORT: String(API_PORT), QUEUE_PREFIX: `g${randomBytes(3).toString('hex')}`, SWEEP_GRACE_MS: '2000', API_RATE_LIMIT_PER_SECOND: '10000',
    });
    api = new ServiceProcess('api', env);
    worker = new ServiceProcess('worker', env);
    api.start();
    worker.start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await stack?.stop();
  }, 120_000);

  it('loses no event and repeats no effect', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'SIG' });
    await stack.createEndpoint(partner.api_keys.test);
    stack.emulator.setAutoSend(false);
    const bodies: string[] = [];
    for (let i = 0; i < EVENTS; i += 50) {
      bodies.push(...(await Promise.all(Array.from({ length: Math.min(50, EVENTS - i) }, async (_, j) => {
        const checkout = await stack.createCheckout(partner.api_keys.test, { customer: { email: `b${i + j}@sig.test` }, partner_order_ref: `SIG-${i + j}` });
        const events = await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
        return JSON.stringify(events.find((e) => e.type === 'checkout.session.completed'));
      }))));
    }
    await waitFor('the api process', () => fetch(`http://127.0.0.1:${API_PORT}/health/live`).then((r) => r.ok, () => false), 30_000);

    // Like Stripe: send each event until it is acknowledged with a 2xx.
    const dispatcher = new Agent({ connections: 16 });
    let sent = 0;
    const deliver = async (body: string) => {
      for (;;) {
        try {
          const res = await request(`http://127.0.0.1:${API_PORT}/stripe/webhook`, {
            method: 'POST', dispatcher, body,
            headers: { 'content-type': 'application/json', 'stripe-signature': stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET) },
          });
          await res.body.dump();
          if (res.statusCode === 200) return;
        } catch {
          // connection refused while the api restarts
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const queue = [...bodies];
    const senders = Array.from({ length: 16 }, async () => {
      for (let body = queue.shift(); body; body = queue.shift()) {
        await deliver(body);
        sent++;
      }
    });
    await waitFor('a third of the burst', () => sent >= EVENTS / 3, 60_000, 5);
    const stopping = Date.now();
    const [apiExit, workerExit] = await Promise.all([api.stop('SIGTERM'), worker.stop('SIGTERM')]);
    // Both stopped on their own, within the shutdown bound, not killed.
    expect([0, 'SIGTERM']).toContain(apiExit);
    expect([0, 'SIGTERM']).toContain(workerExit);
    expect(Date.now() - stopping).toBeLessThan(30_000);
    api.start();
    worker.start();
    await Promise.all(senders);
    await dispatcher.close();

    await waitFor('every invoice emailed', async () => {
      const [r] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE partner_id = $1 AND emailed_at IS NOT NULL`, [partner.id]);
      return r.n === EVENTS;
    }, 180_000, 500);
    const [counts] = await stack.sql<{ paid: number; invoices: number; seq_max: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM orders WHERE partner_id = $1 AND status = 'paid') AS paid,
              (SELECT count(*)::int FROM invoices WHERE partner_id = $1) AS invoices,
              (SELECT max(sequence) FROM invoices WHERE partner_id = $1) AS seq_max,
              (SELECT count(*)::int FROM stripe_events WHERE status = 'processed') AS events`,
      [partner.id],
    );
    expect(counts).toEqual({ paid: EVENTS, invoices: EVENTS, seq_max: EVENTS, events: EVENTS });
    await waitFor('every order.paid at the partner', () => new Set(stack.receiver.ofType('order.paid').map((r) => JSON.parse(r.body).data.id)).size === EVENTS, 120_000, 200);
    const recipients = stack.smtp.messages.map((m) => JSON.stringify(m.to));
    expect(recipients).toHaveLength(EVENTS);
    expect(new Set(recipients).size).toBe(EVENTS);
  }, 600_000);
});
