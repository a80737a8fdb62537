import { RedisProcess } from './support/redis-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Redis only schedules: an event acknowledged while it is down is applied anyway, and its email sent once Redis is back. */
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

  it('acknowledges Stripe while Redis is down, pays the order, and sends its email after Redis returns', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'RED' });
    await stack.createEndpoint(partner.api_keys.test);
    const checkout = await stack.createCheckout(partner.api_keys.test);

    await redis.stop();
    const events = await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const completed = events.find((e) => e.type === 'checkout.session.completed')!;
    const deliveries = stack.emulator.deliveries().filter((d) => d.eventId === completed.id);
    expect(deliveries.at(-1)?.status).toBe(200);

    // The worker claims events from PostgreSQL, not Redis: the order is paid and invoiced while Redis is down.
    await waitFor('the order paid without Redis', async () => {
      const r = await stack.sql('SELECT 1 FROM orders o JOIN invoices i ON i.order_id = o.id WHERE o.id = $1 AND o.status = $2', [checkout.order_id, 'paid']);
      return r.length === 1;
    });
    // Its PDF and email are scheduled through Redis: they wait for it.
    expect(await stack.sql('SELECT 1 FROM invoices WHERE order_id = $1 AND emailed_at IS NOT NULL', [checkout.order_id])).toHaveLength(0);

    await redis.start();
    await waitFor('the order paid and its invoice emailed', async () => {
      const r = await stack.sql('SELECT 1 FROM invoices WHERE order_id = $1 AND emailed_at IS NOT NULL', [checkout.order_id]);
      return r.length === 1;
    }, 30_000);
    await waitFor('order.paid at the partner', () => stack.receiver.ofType('order.paid').length === 1, 15_000);
    expect(stack.smtp.messages).toHaveLength(1);
  });
});
