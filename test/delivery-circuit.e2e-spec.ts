import { PartnerReceiver } from '@app/dev-servers';
import { EndpointControlService, EndpointHealthService } from '@app/webhooks';
import { DeliveryHarness } from './support/delivery-harness';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** The circuit's 30 s cool-down becomes 1 s; the 5 s retry step 165 ms. */
const SCALE = 1 / 30;

describe('delivery engine: circuit breaker and rate limit', () => {
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

  it('opens after 10 consecutive failures: later attempts are postponed, not spent, one probe tests, then the backlog flows', async () => {
    let healthy = false;
    receiver.setHandler(() => (healthy ? 200 : 500));
    const { scope, token } = await harness.partner();
    const endpoint = await harness.endpoint(token, url);
    const orders = await harness.orders(scope, 30);
    const published = await harness.publish(scope, orders.map((orderId) => ({ orderId, type: 'order.paid' })));
    const health = stack.api.get(EndpointHealthService, { strict: false });

    const opened = await waitFor('the circuit to open', async () => {
      const s = await health.statsOf(scope, endpoint.id);
      return s.circuit_state === 'open' ? s : null;
    });
    // Requests already in flight when the 10th failure was recorded (at most 9 more) still count.
    expect(opened.consecutive_failures).toBeGreaterThanOrEqual(10);
    expect(opened.consecutive_failures).toBeLessThanOrEqual(19);
    const count = async () =>
      (
        await stack.sql<{ attempts: number; untouched: number }>(
          `SELECT (SELECT count(*)::int FROM attempts WHERE endpoint_id = $1) AS attempts,
                  (SELECT count(*)::int FROM deliveries WHERE endpoint_id = $1 AND attempt_count = 0) AS untouched`,
          [endpoint.id],
        )
      )[0];
    await new Promise((r) => setTimeout(r, 100));
    const atOpen = await count();
    // Well past the 165 ms retry step, still inside the 1 s cool-down: nothing more was attempted,
    // and the messages never tried kept all their attempts.
    await new Promise((r) => setTimeout(r, 500));
    expect(await count()).toEqual(atOpen);
    expect(atOpen.attempts).toBeLessThanOrEqual(19);
    expect(atOpen.untouched).toBeGreaterThanOrEqual(30 - atOpen.attempts);
    expect(atOpen.untouched).toBeGreaterThan(0);

    healthy = true;
    const firstAfter = receiver.received.length;
    await waitFor('all 30 delivered', async () => {
      const [{ n }] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'delivered'`, [endpoint.id]);
      return n === 30;
    }, 20_000);
    // The first request after the cool-down was alone (the probe): the next one started only after it was answered.
    const after = receiver.received.slice(firstAfter);
    expect(after.length).toBeGreaterThanOrEqual(30);
    const probe = after[0];
    expect(after[1].receivedAt).toBeGreaterThanOrEqual(probe.receivedAt);
    const [{ probes }] = await stack.sql<{ probes: number }>(
      `SELECT count(*)::int AS probes FROM attempts WHERE endpoint_id = $1 AND attempted_at <= (SELECT min(attempted_at) FROM attempts WHERE endpoint_id = $1 AND status_code = 200)
         AND attempted_at > (SELECT max(attempted_at) FROM attempts WHERE endpoint_id = $1 AND status_code = 500)`,
      [endpoint.id],
    );
    expect(probes).toBe(1);
    const closed = await health.statsOf(scope, endpoint.id);
    expect(closed).toMatchObject({ circuit_state: 'closed', consecutive_failures: 0, backlog: 0 });
    expect(new Set(published.map((p) => p.messageId)).size).toBe(30);
  });

  it('enforces a per-endpoint rate limit (messages per second)', async () => {
    receiver.setHandler(() => 200);
    const { scope, token } = await harness.partner();
    const endpoint = await harness.endpoint(token, url, { ratePerSecond: 20 });
    // Settings are validated.
    const control = stack.api.get(EndpointControlService, { strict: false });
    await expect(control.configure(scope, endpoint.id, { rate_limit_per_second: -1 })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(control.configure(scope, endpoint.id, { max_in_flight: 0 })).rejects.toMatchObject({ code: 'validation_failed' });
    const orders = await harness.orders(scope, 60);
    const published = await harness.publish(scope, orders.map((orderId) => ({ orderId, type: 'order.paid' })));
    const ids = new Set(published.map((p) => p.messageId));
    await waitFor('60 delivered', () => receiver.received.filter((r) => ids.has(String(r.headers['webhook-id']))).length === 60, 20_000);
    const times = receiver.received.filter((r) => ids.has(String(r.headers['webhook-id']))).map((r) => r.receivedAt);
    // 60 messages at 20/s take close to 3 s, not the few ms an unlimited endpoint needs.
    expect(times[59] - times[0]).toBeGreaterThanOrEqual(2700);
    // No second holds more than the rate plus the small burst claimed at once (a tenth of a second's worth).
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(20 + 2);
  });
});
