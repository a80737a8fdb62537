import { randomBytes } from 'node:crypto';
import { createCustomer, post } from './support/payment-fixtures';
import { ServiceProcess } from './support/service-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

const SUBSCRIPTIONS = 20;
const RENEWALS = 2;
const CHARGES = 20;

/**
 * Nothing lost, nothing twice, for the payments API's flows: the worker, as its own process, is killed with
 * SIGKILL (no shutdown hooks) in the middle of subscription renewals and off-session charges, then restarted.
 * Every Stripe invoice and every charge ends as exactly one paid order with one invoice, numbered without gaps.
 */
(ServiceProcess.available() ? describe : describe.skip)('payments: the worker killed mid-burst', () => {
  let stack: TestStack;
  let worker: ServiceProcess;

  beforeAll(async () => {
    // The in-process api takes the partner calls and Stripe's events; the worker process does the work.
    stack = await TestStack.start({ worker: false });
    worker = new ServiceProcess('worker', stack.processEnv());
  }, 120_000);

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await stack?.stop();
  }, 120_000);

  it('turns every renewal and every charge into exactly one paid, invoiced order', async () => {
    const partner = await stack.createPartner({ invoice_prefix: `K${randomBytes(2).toString('hex').toUpperCase()}` });
    const token = partner.api_keys.test;
    await stack.createEndpoint(token);
    worker.start();

    // Subscriptions started and cards saved while the worker runs.
    const subscriptions: string[] = [];
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      const customer = await createCustomer(stack, token, { external_id: `k-sub-${i}`, email: `sub${i}@kill.test` });
      const session = await post(stack, token, '/v1/checkout-sessions', {
        mode: 'subscription', customer_id: customer.id, success_url: 'https://shop.example.test/ok',
        line_items: [{ name: 'Abonnement', quantity: 1, unit_amount: 990, recurring: { interval: 'month' } }],
      });
      await stack.emulator.completeCheckoutSession(session.checkout_session_id, { card: 'visa' });
      subscriptions.push(session.subscription_id);
    }
    const chargers: string[] = [];
    for (let i = 0; i < CHARGES; i++) {
      const customer = await createCustomer(stack, token, { external_id: `k-card-${i}`, email: `card${i}@kill.test` });
      const setup = await post(stack, token, '/v1/checkout-sessions', { mode: 'setup', customer_id: customer.id, success_url: 'https://shop.example.test/ok' });
      await stack.emulator.completeCheckoutSession(setup.checkout_session_id, { card: 'visa' });
      chargers.push(customer.id);
    }
    const stripeIds = await waitFor('every subscription active and every card saved', async () => {
      const rows = await stack.sql<{ id: string; stripe_subscription_id: string }>(
        `SELECT id, stripe_subscription_id FROM subscriptions WHERE partner_id = $1 AND status = 'active'`, [partner.id]);
      const [cards] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE partner_id = $1 AND default_payment_method_id IS NOT NULL`, [partner.id]);
      return rows.length === SUBSCRIPTIONS && cards.n === CHARGES ? rows.map((r) => r.stripe_subscription_id) : null;
    }, 60_000);

    // The burst: renewals and charges all at once, the worker killed twice while it works through them.
    const burst = Promise.all([
      ...stripeIds.map(async (id) => {
        for (let r = 0; r < RENEWALS; r++) await stack.emulator.renewSubscription(id);
      }),
      ...chargers.map((id) => post(stack, token, `/v1/customers/${id}/charges`, { line_items: [{ name: 'Recharge', quantity: 1, unit_amount: 1500 }] }, { 'idempotency-key': `kill-${id}` })),
    ]);
    const expected = SUBSCRIPTIONS * (1 + RENEWALS) + CHARGES;
    const paidCount = async () => (await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE partner_id = $1 AND status = 'paid'`, [partner.id]))[0].n;
    for (const kill of [1, 2]) {
      await waitFor(`orders being paid before kill ${kill}`, async () => (await paidCount()) >= SUBSCRIPTIONS + kill * 10, 60_000, 20);
      await worker.stop('SIGKILL');
      // The kill landed mid-burst: work was left for the next worker.
      if (kill === 1) expect(await paidCount()).toBeLessThan(expected);
      worker.start();
    }
    await burst;

    await waitFor('every order paid and every invoice emailed', async () => {
      const [r] = await stack.sql<{ paid: number; emailed: number }>(
        `SELECT (SELECT count(*)::int FROM orders WHERE partner_id = $1 AND status = 'paid') AS paid,
                (SELECT count(*)::int FROM invoices WHERE partner_id = $1 AND emailed_at IS NOT NULL) AS emailed`,
        [partner.id],
      );
      return r.paid === expected && r.emailed === expected;
    }, 180_000, 500);

    const [counts] = await stack.sql<{ orders: number; invoices: number; seq_max: number; per_invoice: number; charges: number }>(
      `SELECT (SELECT count(*)::int FROM orders WHERE partner_id = $1) AS orders,
              (SELECT count(*)::int FROM invoices WHERE partner_id = $1) AS invoices,
              (SELECT max(sequence) FROM invoices WHERE partner_id = $1) AS seq_max,
              (SELECT count(DISTINCT stripe_invoice_id)::int FROM orders WHERE partner_id = $1 AND source = 'subscription') AS per_invoice,
              (SELECT count(*)::int FROM orders WHERE partner_id = $1 AND source = 'off_session_charge') AS charges`,
      [partner.id],
    );
    expect(counts).toEqual({ orders: expected, invoices: expected, seq_max: expected, per_invoice: SUBSCRIPTIONS * (1 + RENEWALS), charges: CHARGES });
    // Each subscription's three periods, each paid once.
    const periods = await stack.sql<{ subscription_id: string; n: number }>(
      `SELECT subscription_id, count(DISTINCT period_start)::int AS n FROM orders WHERE partner_id = $1 AND source = 'subscription' GROUP BY 1`, [partner.id]);
    expect(periods.map((p) => p.n)).toEqual(Array(SUBSCRIPTIONS).fill(1 + RENEWALS));
    // The partner hears of each order once (a redelivery after a kill keeps its webhook-id).
    await waitFor('every order.paid at the partner', () =>
      new Set(stack.receiver.ofType('order.paid').map((r) => JSON.parse(r.body).data.id)).size === expected ? true : null, 120_000, 200);
    const ids = stack.receiver.ofType('order.paid').map((r) => String(r.headers['webhook-id']));
    const orders = stack.receiver.ofType('order.paid').map((r) => JSON.parse(r.body).data.id as string);
    expect(new Set(ids).size).toBe(new Set(orders).size);
    // One email per invoice: an email a kill interrupted is sent again under the same Message-ID.
    const emailed = new Set(stack.smtp.messages.map((m) => m.messageId));
    expect(emailed.size).toBe(expected);
  }, 600_000);
});
