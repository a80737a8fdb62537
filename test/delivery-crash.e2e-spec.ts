import { PartnerReceiver } from '@app/dev-servers';
import { DeliveryHarness } from './support/delivery-harness';
import { WorkerProcess } from './support/delivery-worker-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

describe('delivery engine: a worker killed with SIGKILL', () => {
  let stack: TestStack;
  let harness: DeliveryHarness;
  let worker: WorkerProcess;
  const receiver = new PartnerReceiver();

  beforeAll(async () => {
    // No in-process worker: the worker runs as its own OS process below.
    stack = await TestStack.start({ worker: false, env: { WEBHOOK_TIMEOUT_MS: '2000', SWEEP_INTERVAL_MS: '500', SWEEP_GRACE_MS: '500' } });
    harness = new DeliveryHarness(stack);
    worker = new WorkerProcess(stack.config);
  });

  afterAll(async () => {
    await worker?.kill();
    worker?.remove();
    await stack?.stop();
    await receiver.stop();
  });

  it('loses nothing: 1,000 messages in flight, two kills and restarts, every message received with its stable id', async () => {
    const url = await receiver.start();
    // A slow partner (40 ms per answer), so a good share is in flight at each kill.
    receiver.setHandler(() => ({ status: 200, delayMs: 40 }));
    const { scope, token } = await harness.partner();
    await Promise.all([harness.endpoint(token, url), harness.endpoint(token, url.replace('/webhooks', '/webhooks-2'))]);
    const orders = await harness.orders(scope, 1000);
    const published = [];
    for (let i = 0; i < 1000; i += 250) {
      published.push(...(await harness.publish(scope, orders.slice(i, i + 250).map((orderId) => ({ orderId, type: 'order.paid' })))));
    }
    const expected = new Map(published.map((p) => [p.messageId, p.orderId]));
    expect(expected.size).toBe(1000);

    await worker.start();
    for (const kill of [1, 2]) {
      await waitFor(`deliveries under way before kill ${kill}`, () => receiver.received.length >= kill * 300, 30_000);
      await worker.kill('SIGKILL');
      // The engine leases endpoints, not deliveries: what the dead worker held is its endpoints' still-live leases with deliveries pending.
      const [{ leased }] = await stack.sql<{ leased: number }>(
        `SELECT count(*)::int AS leased FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id WHERE e.lease_until > now() AND d.status = 'pending'`,
      );
      // The kill did land mid-send: some deliveries were held by the dead worker.
      if (kill === 1) expect(leased).toBeGreaterThan(0);
      await worker.start();
    }

    await waitFor('every delivery recorded as delivered', async () => {
      const [{ n }] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE status <> 'delivered'`);
      return n === 0;
    }, 60_000);

    // Two endpoints: each must have received all 1,000 ids, each id always with the same body.
    for (const path of ['/webhooks', '/webhooks-2']) {
      const byId = new Map<string, Set<string>>();
      for (const r of receiver.received.filter((x) => x.path === path)) {
        const id = String(r.headers['webhook-id']);
        if (!byId.has(id)) byId.set(id, new Set());
        byId.get(id)!.add(r.body);
      }
      const missing = [...expected.keys()].filter((id) => !byId.has(id));
      expect({ path, missing }).toEqual({ path, missing: [] });
      expect([...byId.values()].every((bodies) => bodies.size === 1)).toBe(true);
    }
    const [{ attempts }] = await stack.sql<{ attempts: number }>(`SELECT count(*)::int AS attempts FROM attempts`);
    expect(attempts).toBeGreaterThanOrEqual(2000);
  }, 120_000);
});
