import { PartnerReceiver } from '@app/dev-servers';
import { EndpointControlService, EndpointHealthService } from '@app/webhooks';
import { DeliveryHarness } from './support/delivery-harness';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Five days of failures become 4.3 s (12 h: 0.43 s); the whole retry schedule 2.7 s. */
const SCALE = 1e-5;

describe('delivery engine: endpoint auto-disable and re-enable', () => {
  let stack: TestStack;
  let harness: DeliveryHarness;
  const receiver = new PartnerReceiver();
  let url: string;

  beforeAll(async () => {
    stack = await TestStack.start({ env: { WEBHOOK_SCHEDULE_SCALE: String(SCALE) } });
    harness = new DeliveryHarness(stack);
    url = await receiver.start();
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  it('disables an endpoint failing for the whole window, emails the partner, keeps its backlog and delivers it in order once re-enabled', async () => {
    let up = false;
    receiver.setHandler(() => (up ? 200 : 503));
    const { scope, token } = await harness.partner();
    const endpoint = await harness.endpoint(token, url);
    const [order] = await harness.orders(scope, 1);
    const types = ['order.paid', 'invoice.issued', 'order.expired', 'order.refunded', 'order.payment_failed'];
    const published = await harness.publish(scope, types.map((type) => ({ orderId: order, type })));

    const disabledAt = await waitFor('the endpoint disabled', async () => {
      const [e] = await stack.sql<{ enabled: boolean; disabled_reason: string; disabled_at: Date; failing_since: Date }>(
        `SELECT enabled, disabled_reason, disabled_at, failing_since FROM endpoints WHERE id = $1`,
        [endpoint.id],
      );
      return e.enabled ? null : e;
    }, 20_000);
    expect(disabledAt.disabled_reason).toBe('failing');
    // Not before the (scaled) five days of failures.
    expect(disabledAt.disabled_at.getTime() - disabledAt.failing_since.getTime()).toBeGreaterThanOrEqual(5 * 24 * 3600 * 1000 * SCALE);

    const mail = await waitFor('the email to the partner', () => stack.smtp.messages.find((m) => m.text?.includes(endpoint.id)));
    expect(mail.to).toMatchObject({ value: [{ address: 'compta@atelier-lumiere.test' }] });
    expect(mail.subject).toContain(url);
    expect(mail.text).toMatch(/5 jours|5 days/);

    // Disabled: nothing more is attempted, nothing is dropped.
    const attemptsAtDisable = (await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM attempts WHERE endpoint_id = $1`, [endpoint.id]))[0].n;
    await new Promise((r) => setTimeout(r, 500));
    expect((await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM attempts WHERE endpoint_id = $1`, [endpoint.id]))[0].n).toBe(attemptsAtDisable);
    const health = stack.api.get(EndpointHealthService, { strict: false });
    const stats = await health.statsOf(scope, endpoint.id);
    expect(stats).toMatchObject({ enabled: false, disabled_reason: 'failing', last_success_at: null });
    expect(stats.backlog).toBeGreaterThan(0);
    // A message created while the endpoint is disabled waits too.
    const [late] = await harness.publish(scope, [{ orderId: order, type: 'order.late_notice' }]);
    const waiting = await stack.sql<{ message_id: string }>(
      `SELECT message_id FROM deliveries WHERE endpoint_id = $1 AND status = 'pending' ORDER BY seq`,
      [endpoint.id],
    );
    expect(waiting.map((w) => w.message_id)).toContain(late.messageId);

    up = true;
    const before = receiver.received.length;
    const { backlog } = await stack.api.get(EndpointControlService, { strict: false }).enable(scope, endpoint.id);
    expect(backlog).toBe(waiting.length);
    await waitFor('the backlog delivered', async () => {
      const [{ n }] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'pending'`, [endpoint.id]);
      return n === 0;
    });
    const delivered = receiver.received.slice(before).filter((r) => r.headers['webhook-id'] !== undefined);
    // In creation order, each once.
    expect(delivered.map((r) => r.headers['webhook-id'])).toEqual(waiting.map((w) => w.message_id));
    expect(published.length).toBe(5);
    expect(await health.statsOf(scope, endpoint.id)).toMatchObject({ enabled: true, circuit_state: 'closed', consecutive_failures: 0, backlog: 0 });
  });

  it('manual disable keeps new messages waiting; enable delivers them', async () => {
    receiver.setHandler(() => 200);
    const { scope, token } = await harness.partner();
    const endpoint = await harness.endpoint(token, url);
    const control = stack.api.get(EndpointControlService, { strict: false });
    await control.disable(scope, endpoint.id);
    const orders = await harness.orders(scope, 3);
    const published = await harness.publish(scope, orders.map((orderId) => ({ orderId, type: 'order.paid' })));
    await new Promise((r) => setTimeout(r, 500));
    const ids = new Set(published.map((p) => p.messageId));
    expect(receiver.received.filter((r) => ids.has(String(r.headers['webhook-id'])))).toHaveLength(0);
    await control.enable(scope, endpoint.id);
    await waitFor('3 delivered', () => receiver.received.filter((r) => ids.has(String(r.headers['webhook-id']))).length === 3);
    // Another partner cannot touch it.
    const other = await harness.partner();
    await expect(control.disable(other.scope, endpoint.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(stack.api.get(EndpointHealthService, { strict: false }).statsOf(other.scope, endpoint.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
