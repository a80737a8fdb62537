import { PartnerReceiver } from '@app/dev-servers';
import { EndpointHealthService, RETRY_SCHEDULE_MS } from '@app/webhooks';
import { DeliveryHarness } from './support/delivery-harness';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Three days of retries shrunk 50,000 times: the whole schedule takes about 5.4 s. */
const SCALE = 2e-5;

describe('delivery engine: the retry schedule', () => {
  let stack: TestStack;
  let harness: DeliveryHarness;
  const failing = new PartnerReceiver();
  const healthy = new PartnerReceiver();
  let failingUrl: string;
  let healthyUrl: string;

  beforeAll(async () => {
    stack = await TestStack.start({ env: { WEBHOOK_SCHEDULE_SCALE: String(SCALE), SWEEP_INTERVAL_MS: '60000' } });
    harness = new DeliveryHarness(stack);
    [failingUrl, healthyUrl] = await Promise.all([failing.start(), healthy.start()]);
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([failing.stop(), healthy.stop()]);
  });

  it('makes exactly 10 attempts at the scheduled offsets (±20 %), marks the delivery failed and tells the other endpoints', async () => {
    failing.setHandler(() => 500);
    const { scope, token } = await harness.partner();
    const bad = await harness.endpoint(token, failingUrl);
    // The other endpoint only listens to operational events, so the message itself goes to `bad` alone.
    const good = await harness.endpoint(token, healthyUrl, { eventTypes: ['message.attempt.exhausted'] });
    const [orderId] = await harness.orders(scope, 1);
    const [message] = await harness.publish(scope, [{ orderId, type: 'order.paid' }]);

    await waitFor('the delivery to fail for good', async () => (await harness.deliveryOf(message.messageId)).status === 'failed', 30_000);
    const attempts = await harness.attemptsOf(message.messageId);
    expect(attempts).toHaveLength(10);
    expect(attempts.every((a) => a.status_code === 500 && a.error === 'HTTP 500')).toBe(true);
    const seen = failing.received.filter((r) => r.headers['webhook-id'] === message.messageId);
    expect(seen).toHaveLength(10);
    for (let i = 1; i < attempts.length; i++) {
      const gap = attempts[i].attempted_at.getTime() - attempts[i - 1].attempted_at.getTime();
      const step = RETRY_SCHEDULE_MS[i] * SCALE;
      // Lower bound: the jitter; upper bound: the jitter plus queue and claim latency on a loaded machine.
      const onTime = gap >= Math.floor(step * 0.8) - 2 && gap <= step * 1.2 + 400;
      expect({ attempt: i + 1, gap, step, onTime }).toEqual({ attempt: i + 1, gap, step, onTime: true });
    }
    const delivery = await harness.deliveryOf(message.messageId);
    expect(delivery).toMatchObject({ status: 'failed', attempt_count: 10, next_attempt_at: null, failed_reason: 'exhausted' });

    // The partner hears about it on its other, healthy endpoint, and only there.
    const notice = await waitFor('message.attempt.exhausted', () => healthy.ofType('message.attempt.exhausted')[0]);
    expect(JSON.parse(notice.body).data).toMatchObject({
      message_id: message.messageId,
      message_type: 'order.paid',
      order_id: orderId,
      endpoint_id: bad.id,
      attempts: 10,
      last_status_code: 500,
    });
    expect(failing.ofType('message.attempt.exhausted')).toHaveLength(0);

    // Ten consecutive failures opened the failing endpoint's circuit; the healthy one is untouched.
    const health = stack.api.get(EndpointHealthService, { strict: false });
    const stats = await health.statsOf(scope, bad.id);
    expect(stats).toMatchObject({ circuit_state: 'open', consecutive_failures: 10, backlog: 0, failed: 1, last_success_at: null });
    expect(stats.last_day).toEqual({ attempts: 10, succeeded: 0, success_rate: 0 });
    // The receiver sees the notice before the worker records the attempt: wait for the record, not the request.
    const goodStats = await waitFor('the notice attempt to be recorded', async () => {
      const s = await health.statsOf(scope, good.id);
      return s.last_hour.attempts > 0 ? s : null;
    });
    expect(goodStats).toMatchObject({ circuit_state: 'closed', consecutive_failures: 0, last_failure_at: null });
    expect(goodStats.last_hour.success_rate).toBe(1);
  });

  it('keeps the webhook-id across attempts and signs each one afresh', async () => {
    failing.setHandler(undefined);
    failing.respondWith(500, 502);
    const { scope, token } = await harness.partner();
    await harness.endpoint(token, failingUrl);
    const [orderId] = await harness.orders(scope, 1);
    const [message] = await harness.publish(scope, [{ orderId, type: 'order.paid' }]);
    await waitFor('delivered', async () => (await harness.deliveryOf(message.messageId)).status === 'delivered');
    const seen = failing.received.filter((r) => r.headers['webhook-id'] === message.messageId);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((r) => r.body)).size).toBe(1);
    expect((await harness.attemptsOf(message.messageId)).map((a) => a.status_code)).toEqual([500, 502, 200]);
  });
});
