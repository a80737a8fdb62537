import { RedisProcess } from './support/redis-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Redis only schedules: an event acknowledged while it is down is processed once it is back. */
describe('Redis outage between commit and enqueue', () => {
  const redis = new RedisProcess();
  let stack: TestStack;

  beforeAll(async () => {
    await redis.start();
    stack = await TestStack.start({ env: { REDIS_URL: redis.url } });
  });

  afterAll(async () => {
    await stack?.stop();
    await redis.stop();
  });

  it('acknowledges Stripe while Redis is down and processes the event after it returns', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'RED' });
    await stack.createEndpoint(partner.api_keys.test);
    const checkout = await stack.createCheckout(partner.api_keys.test);

    await redis.stop();
    const events = await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const completed = events.find((e) => e.type === 'checkout.session.completed')!;
    const deliveries = stack.emulator.deliveries().filter((d) => d.eventId === completed.id);
    expect(deliveries.at(-1)?.status).toBe(200);

    // Committed, not processed: Stripe got its 2xx and the row is waiting.
    const [row] = await stack.sql<{ status: string }>('SELECT status FROM stripe_events WHERE id = $1', [completed.id]);
    expect(row.status).toBe('received');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stack.sql('SELECT 1 FROM orders WHERE id = $1 AND status = $2', [checkout.order_id, 'paid'])).length).toBe(0);

    await redis.start();
    await waitFor('the order paid and its invoice emailed', async () => {
      const r = await stack.sql('SELECT 1 FROM invoices WHERE order_id = $1 AND emailed_at IS NOT NULL', [checkout.order_id]);
      return r.length === 1;
    }, 30_000);
    await waitFor('order.paid at the partner', () => stack.receiver.ofType('order.paid').length === 1, 15_000);
    expect(stack.smtp.messages).toHaveLength(1);
  });
});
