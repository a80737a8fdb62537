import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DeliveryHarness } from './support/delivery-harness';
import { WorkerProcess } from './support/delivery-worker-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

const MESSAGES = 40;
const ANSWER_AFTER_MS = 150;

/**
 * max_in_flight is a promise to the partner, whatever the number of worker processes: two workers claiming
 * the same endpoint at once must never have more requests open at its server than it allows.
 */
describe('delivery engine: in-flight bound across workers', () => {
  let stack: TestStack;
  let harness: DeliveryHarness;
  const workers: WorkerProcess[] = [];
  let server: Server;
  let open = 0;
  let mostOpen = 0;
  const received: string[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false });
    harness = new DeliveryHarness(stack);
    // A slow partner that counts the requests it holds open at once (its own view, not the engine's).
    server = createServer((req, res) => {
      open++;
      mostOpen = Math.max(mostOpen, open);
      received.push(String(req.headers['webhook-id']));
      req.resume();
      setTimeout(() => {
        open--;
        res.end('ok');
      }, ANSWER_AFTER_MS);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    for (let i = 0; i < 2; i++) workers.push(new WorkerProcess(stack.config));
    await Promise.all(workers.map((w) => w.start()));
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    workers.forEach((w) => w.remove());
    await new Promise((r) => server?.close(r));
    await stack?.stop();
  });

  it('two workers never hold more than max_in_flight (2) requests open at a slow endpoint, and send each message once', async () => {
    const partner = await harness.partner();
    await harness.endpoint(partner.token, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, { maxInFlight: 2 });
    const orders = await harness.orders(partner.scope, MESSAGES);
    // Several commits, so both workers are woken (and claim) while the others' sends are still open.
    const published = (
      await Promise.all(Array.from({ length: 8 }, (_, i) => harness.publish(partner.scope, orders.slice(i * 5, i * 5 + 5).map((orderId) => ({ orderId, type: 'order.paid' })))))
    ).flat();

    await waitFor('every message delivered and recorded', async () => {
      const [r] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE partner_id = $1 AND status = 'delivered'`, [partner.id]);
      return r.n === MESSAGES;
    }, 60_000, 100);

    expect(mostOpen).toBe(2);
    expect(received).toHaveLength(MESSAGES);
    expect(new Set(received)).toEqual(new Set(published.map((p) => p.messageId)));
  }, 90_000);
});
