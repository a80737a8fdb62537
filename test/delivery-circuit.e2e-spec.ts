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
    expect(opened.consecutive_failures).toBeGreaterThanOrEqual(10);
    healthy = true;
    await waitFor('all 30 delivered', async () => {
      const [{ n }] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'delivered'`, [endpoint.id]);
      return n === 30;
    }, 20_000);

    // Read from the attempts recorded, not from when this test happened to look: on a loaded machine its polls can
    // come after the cool-down, when a probe may already have failed and opened the circuit again.
    const attempts = await stack.sql<{ delivery_id: string; at: number; ms: number; status_code: number }>(
      `SELECT delivery_id, (extract(epoch FROM attempted_at) * 1000)::float8 AS at, duration_ms AS ms, status_code FROM attempts WHERE endpoint_id = $1 ORDER BY attempted_at`,
      [endpoint.id],
    );
    // The burst the circuit let through: every attempt before the first pause of (nearly) the 1 s cool-down; failed
    // attempts are retried 165 ms later while it is closed. Requests already in flight when the 10th failure was
    // recorded (at most 9 more, the in-flight cap) still went.
    const pause = attempts.findIndex((a, i) => i > 0 && a.at - attempts[i - 1].at >= 500);
    const burst = attempts.slice(0, pause);
    expect(burst.length).toBeGreaterThanOrEqual(10);
    expect(burst.length).toBeLessThanOrEqual(19);
    expect(burst.every((a) => a.status_code === 500)).toBe(true);
    // Then probes, each alone after a cool-down, until one is answered 200: the next request started only once that
    // answer was in. (A cool-down starts when its opening failure is recorded; a send that a claim started while that
    // record was committing may come later, so the pause before a probe is most of the 1 s, at least 3 retry steps.)
    const firstOk = attempts.findIndex((a) => a.status_code === 200);
    for (let i = pause; i <= firstOk; i++) expect(attempts[i].at - attempts[i - 1].at).toBeGreaterThanOrEqual(500);
    expect(attempts[firstOk + 1].at).toBeGreaterThanOrEqual(attempts[firstOk].at + attempts[firstOk].ms - 1);
    // Postponed, not spent: the messages never tried during the burst went out at their first attempt.
    const tried = new Set(burst.map((a) => a.delivery_id));
    const untried = attempts.filter((a) => !tried.has(a.delivery_id));
    expect(new Set(untried.map((a) => a.delivery_id)).size).toBe(30 - tried.size);
    expect(untried.length).toBeGreaterThan(0);
    const perDelivery = new Map<string, number>();
    for (const a of untried) perDelivery.set(a.delivery_id, (perDelivery.get(a.delivery_id) ?? 0) + 1);
    // A probe that failed is the one untried delivery allowed a second attempt.
    const probesFailed = attempts.slice(pause, firstOk).length;
    expect([...perDelivery.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(probesFailed);
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
