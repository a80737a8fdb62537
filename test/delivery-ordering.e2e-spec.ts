import { PartnerReceiver, ReceivedWebhook } from '@app/dev-servers';
import { DeliveryHarness } from './support/delivery-harness';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** A thousandth of real time: retries after 5 ms, 300 ms, 1.8 s. */
const SCALE = 0.001;

const typeOf = (r: ReceivedWebhook) => JSON.parse(r.body).type as string;
const orderOf = (r: ReceivedWebhook) => JSON.parse(r.body).data.id as string;

describe('delivery engine: per-order ordering', () => {
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

  it("holds an order's later message behind its failing order.paid, and lets other orders flow meanwhile", async () => {
    const { scope, token } = await harness.partner();
    await harness.endpoint(token, url);
    const [x, ...others] = await harness.orders(scope, 6);
    let paidFailures = 0;
    receiver.setHandler((r) => (orderOf(r) === x && typeOf(r) === 'order.paid' && paidFailures++ < 3 ? 500 : 200));

    const [paid] = await harness.publish(scope, [{ orderId: x, type: 'order.paid' }]);
    await waitFor('the first failure', () => paidFailures >= 1);
    // While order.paid waits for its retry, the same order is refunded and other orders are paid.
    const [refunded] = await harness.publish(scope, [{ orderId: x, type: 'order.refunded' }]);
    await harness.publish(scope, others.map((orderId) => ({ orderId, type: 'order.paid' })));

    await waitFor('x refunded delivered', async () => (await harness.deliveryOf(refunded.messageId)).status === 'delivered', 20_000);
    const forX = receiver.received.filter((r) => orderOf(r) === x);
    expect(forX.map((r) => [typeOf(r), r.headers['webhook-id']])).toEqual([
      ['order.paid', paid.messageId],
      ['order.paid', paid.messageId],
      ['order.paid', paid.messageId],
      ['order.paid', paid.messageId],
      ['order.refunded', refunded.messageId],
    ]);
    expect((await harness.attemptsOf(paid.messageId)).map((a) => a.status_code)).toEqual([500, 500, 500, 200]);
    // Refunded was never attempted before paid got through, so it never spent an attempt waiting.
    expect((await harness.attemptsOf(refunded.messageId)).map((a) => a.status_code)).toEqual([200]);

    // The other orders did not wait for x: all of them arrived before x's order.paid finally did.
    const paidOkAt = forX[3].receivedAt;
    const otherArrivals = receiver.received.filter((r) => others.includes(orderOf(r)));
    expect(otherArrivals).toHaveLength(others.length);
    expect(Math.max(...otherArrivals.map((r) => r.receivedAt))).toBeLessThan(paidOkAt);
  });

  it('lets the later message go once the earlier one is given up (failed), still in creation order', async () => {
    const { scope, token } = await harness.partner();
    await harness.endpoint(token, url);
    const [y] = await harness.orders(scope, 1);
    receiver.setHandler((r) => (orderOf(r) === y && typeOf(r) === 'order.paid' ? { status: 500, headers: { 'webhook-delivery': 'abort' } } : 200));
    const [paid, expired] = await harness.publish(scope, [
      { orderId: y, type: 'order.paid' },
      { orderId: y, type: 'order.expired' },
    ]);
    await waitFor('order.expired delivered', async () => (await harness.deliveryOf(expired.messageId)).status === 'delivered');
    const [a] = await harness.attemptsOf(paid.messageId);
    const [b] = await harness.attemptsOf(expired.messageId);
    expect(a.attempted_at.getTime()).toBeLessThanOrEqual(b.attempted_at.getTime());
    expect((await harness.deliveryOf(paid.messageId)).status).toBe('failed');
  });

  it('delivers messages about different orders concurrently', async () => {
    const { scope, token } = await harness.partner();
    await harness.endpoint(token, url);
    const orders = await harness.orders(scope, 20);
    let open = 0;
    let maxOpen = 0;
    receiver.setHandler(() => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      setTimeout(() => open--, 100);
      return { status: 200, delayMs: 100 };
    });
    const published = await harness.publish(scope, orders.map((orderId) => ({ orderId, type: 'order.paid' })));
    const ids = new Set(published.map((p) => p.messageId));
    await waitFor('all 20', () => receiver.received.filter((r) => ids.has(String(r.headers['webhook-id']))).length === 20);
    // Concurrent, yet bounded by the endpoint's 10 in flight.
    expect(maxOpen).toBeGreaterThan(5);
    expect(maxOpen).toBeLessThanOrEqual(10);
  });
});
