import { PartnerReceiver } from '@app/dev-servers';
import { DeliveryHarness, percentile } from './support/delivery-harness';
import { WorkerProcess } from './support/delivery-worker-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** The worker's cap on requests in flight (WEBHOOK_MAX_IN_FLIGHT_PER_WORKER): a tenth of it, 3, is a claim's worth of room. */
const CAP = 30;
/** Requests each hanging endpoint may hold: together 28, so the worker runs with 2 free, under a claim's worth. */
const HANGING_MAX_IN_FLIGHT = 14;

/**
 * Endpoints that a claim's room did not reach wait for room in this worker (DeliveryDispatcher.waitingForRoom). Hanging
 * partners may keep the worker a few sends short of its cap for as long as they hang: the endpoints waiting must
 * still be served then, within the short poll's tick, not only once a lease lapses and the sweeper wakes them.
 */
describe('delivery engine: the worker near its cap', () => {
  let stack: TestStack;
  let harness: DeliveryHarness;
  let worker: WorkerProcess;
  const hanging = [new PartnerReceiver(), new PartnerReceiver()];
  const healthy = new PartnerReceiver();

  beforeAll(async () => {
    // Hanging requests time out long after the test's end: their slots stay taken throughout.
    stack = await TestStack.start({ worker: false, env: { WEBHOOK_TIMEOUT_MS: '60000' } });
    harness = new DeliveryHarness(stack);
    worker = new WorkerProcess(stack.config, { WEBHOOK_MAX_IN_FLIGHT_PER_WORKER: String(CAP) });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.kill();
    worker?.remove();
    await Promise.all([...hanging, healthy].map((r) => r.stop()));
    await stack?.stop();
  });

  it('serves healthy partners (4 endpoints, 20 messages each) with 2 of 30 slots free, p99 under 1 s', async () => {
    const healthyUrl = await healthy.start();
    for (const receiver of hanging) {
      const url = await receiver.start();
      receiver.setHandler(() => 'hang');
      const p = await harness.partner();
      await harness.endpoint(p.token, url, { maxInFlight: HANGING_MAX_IN_FLIGHT });
      const orders = await harness.orders(p.scope, HANGING_MAX_IN_FLIGHT + 5);
      await harness.publish(p.scope, orders.map((orderId) => ({ orderId, type: 'order.paid' })));
    }
    await waitFor('the hanging partners holding 28 of the worker\'s 30 slots', () => hanging.every((r) => r.received.length === HANGING_MAX_IN_FLIGHT));

    const partners = await Promise.all(Array.from({ length: 4 }, () => harness.partner()));
    for (const p of partners) await harness.endpoint(p.token, `${healthyUrl}/${p.id}`);
    const orders = await Promise.all(partners.map((p) => harness.orders(p.scope, 20)));

    // 20 rounds, 50 ms apart: one message for each healthy partner per round, each in its own transaction, so their
    // wake-ups meet claims with a slot of room and all but one endpoint are left waiting for room.
    const createdAt = new Map<string, number>();
    for (let round = 0; round < 20; round++) {
      const sent = await Promise.all(partners.map((p, i) => harness.publish(p.scope, [{ orderId: orders[i][round], type: 'order.paid' }])));
      for (const m of sent.flat()) createdAt.set(m.messageId, m.createdAt);
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor('80 messages at the healthy partners', () => healthy.uniqueIds().size >= 80, 30_000);

    const delays = healthy.received.map((r) => r.receivedAt - createdAt.get(String(r.headers['webhook-id']))!);
    expect(delays).toHaveLength(80);
    const p99 = percentile(delays, 99);
    expect({ p50: percentile(delays, 50), p99, under1s: p99 < 1000 }).toEqual({ p50: expect.any(Number), p99, under1s: true });
    // The hanging partners still hold their slots: no more was sent to them.
    expect(hanging.map((r) => r.received.length)).toEqual([HANGING_MAX_IN_FLIGHT, HANGING_MAX_IN_FLIGHT]);
  });
});
