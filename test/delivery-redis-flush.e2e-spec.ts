import IORedis from 'ioredis';
import { PartnerReceiver } from '@app/dev-servers';
import { DeliveryHarness } from './support/delivery-harness';
import { RedisProcess } from './support/redis-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

describe('delivery engine: Redis flushed mid-run', () => {
  // A Redis of our own: FLUSHALL on the shared one would wipe other tests' queues.
  const redis = new RedisProcess();
  const receiver = new PartnerReceiver();
  let stack: TestStack;
  let harness: DeliveryHarness;

  beforeAll(async () => {
    await redis.start();
    stack = await TestStack.start({ env: { REDIS_URL: redis.url, WEBHOOK_SCHEDULE_SCALE: '1', SWEEP_INTERVAL_MS: '500', SWEEP_GRACE_MS: '1000' } });
    harness = new DeliveryHarness(stack);
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
    await redis.stop();
  });

  it('delivers all 1,000 pending deliveries after FLUSHALL, from PostgreSQL, through the sweeper', async () => {
    const url = await receiver.start();
    // Slow enough that most are still pending at the flush; every 10th message fails once, so its
    // retry (5 s later, the real schedule) exists only as a delayed job in Redis when Redis is flushed.
    const failedOnce = new Set<string>();
    let n = 0;
    receiver.setHandler((r) => {
      const id = String(r.headers['webhook-id']);
      if (n++ % 10 === 0 && !failedOnce.has(id)) {
        failedOnce.add(id);
        return { status: 500, delayMs: 20 };
      }
      return { status: 200, delayMs: 20 };
    });
    const { scope, token } = await harness.partner();
    await harness.endpoint(token, url);
    const orders = await harness.orders(scope, 1000);
    const published = await harness.publish(scope, orders.map((orderId) => ({ orderId, type: 'order.paid' })));
    const expected = new Set(published.map((p) => p.messageId));

    await waitFor('a few hundred delivered', () => receiver.received.length >= 300, 30_000);
    const client = new IORedis(redis.url);
    // Flush and count in one MULTI: the live worker writes new keys right after, which a separate DBSIZE could see.
    const [[, flushed], [, size]] = (await client.multi().flushall().dbsize().exec())!;
    expect(flushed).toBe('OK');
    expect(size).toBe(0);
    client.disconnect();

    await waitFor('all 1,000 delivered', async () => {
      const [{ n: left }] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status <> 'delivered'`);
      return left === 0;
    }, 60_000);
    const ids = receiver.uniqueIds();
    expect([...expected].filter((id) => !ids.has(id))).toEqual([]);
    expect(failedOnce.size).toBeGreaterThan(50);
    // Each message that failed once was delivered on its second attempt: the retry came from PostgreSQL.
    const [{ retried }] = await stack.sql<{ retried: number }>(`SELECT count(*)::int AS retried FROM deliveries WHERE attempt_count = 2`);
    expect(retried).toBe(failedOnce.size);
  }, 90_000);
});
