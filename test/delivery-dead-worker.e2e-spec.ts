import { PartnerReceiver } from '@app/dev-servers';
import { DeliveryHarness } from './support/delivery-harness';
import { WorkerProcess } from './support/delivery-worker-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/**
 * A worker that dies mid-send holds its deliveries only as long as its last
 * lease: a few seconds (the heartbeat stopped), not the whole attempt timeout.
 * Production timings: 15 s per attempt, sweeper every 5 s with 10 s of grace.
 */
describe('delivery engine: a delivery held by a dead worker', () => {
  let stack: TestStack;
  let harness: DeliveryHarness;
  const workers: WorkerProcess[] = [];
  const receiver = new PartnerReceiver();

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false, env: { WEBHOOK_TIMEOUT_MS: '15000', SWEEP_INTERVAL_MS: '5000', SWEEP_GRACE_MS: '10000' } });
    harness = new DeliveryHarness(stack);
  });

  afterAll(async () => {
    for (const w of workers) {
      await w.kill();
      w.remove();
    }
    await stack?.stop();
    await receiver.stop();
  });

  it('is sent again by the surviving worker within 10 s of the kill, with the same webhook-id', async () => {
    const url = await receiver.start();
    // The first request hangs: the dead worker was waiting for the partner's answer when it died.
    receiver.respondWith('hang');
    const { scope, token } = await harness.partner();
    await harness.endpoint(token, url);
    const [first, survivor] = [new WorkerProcess(stack.config), new WorkerProcess(stack.config)];
    workers.push(first, survivor);
    await first.start();
    await waitFor('the first worker ready', async () => {
      const [{ n }] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'delivery-wake' AND datname = current_database()`);
      return n === 1;
    }, 60_000);
    const [orderId] = await harness.orders(scope, 1);
    const [published] = await harness.publish(scope, [{ orderId, type: 'order.paid' }]);
    await waitFor('the first worker sending (and hanging)', () => receiver.received.length === 1, 30_000);
    await survivor.start();
    // Both workers listening for new deliveries: the survivor has booted, its boot time is not part of the measure.
    await waitFor('the surviving worker ready', async () => {
      const [{ n }] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'delivery-wake' AND datname = current_database()`);
      return n === 2;
    }, 60_000);

    await first.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor('the message sent again', () => receiver.received.length >= 2, 20_000, 50);
    const resentAfterMs = receiver.received[1].receivedAt - killedAt;

    expect(resentAfterMs).toBeLessThan(10_000);
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([published.messageId, published.messageId]);
    await waitFor('the delivery recorded as delivered', async () => (await harness.deliveryOf(published.messageId))?.status === 'delivered', 20_000);
  }, 180_000);
});
