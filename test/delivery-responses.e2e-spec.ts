import { PartnerReceiver } from '@app/dev-servers';
import { DeliveryHarness } from './support/delivery-harness';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** A hundredth of real time: the first retry comes after 50 ms, Retry-After: 120 means 1.2 s. */
const SCALE = 0.01;

describe('delivery engine: what the partner answers', () => {
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

  async function oneMessage() {
    const partner = await harness.partner();
    const endpoint = await harness.endpoint(partner.token, url);
    const [orderId] = await harness.orders(partner.scope, 1);
    const [message] = await harness.publish(partner.scope, [{ orderId, type: 'order.paid' }]);
    return { ...partner, endpoint, message };
  }

  it('honours Retry-After: 120 on a 503 (instead of the 5 s step)', async () => {
    receiver.respondWith({ status: 503, headers: { 'retry-after': '120' } });
    const { message } = await oneMessage();
    await waitFor('delivered', async () => (await harness.deliveryOf(message.messageId)).status === 'delivered', 10_000);
    const attempts = await harness.attemptsOf(message.messageId);
    expect(attempts.map((a) => a.status_code)).toEqual([503, 200]);
    const gap = attempts[1].attempted_at.getTime() - attempts[0].attempted_at.getTime();
    // 120 s scaled is 1.2 s; the schedule alone would have retried after 40-60 ms.
    expect(gap).toBeGreaterThanOrEqual(1200);
    expect(gap).toBeLessThan(1200 + 600);
  });

  it('honours a 429 Retry-After given as an HTTP date, and clamps one beyond a day to a day', async () => {
    receiver.respondWith({ status: 429, headers: { 'retry-after': new Date(Date.now() + 100_000).toUTCString() } });
    const first = await oneMessage();
    await waitFor('delivered', async () => (await harness.deliveryOf(first.message.messageId)).status === 'delivered', 10_000);
    const [a, b] = await harness.attemptsOf(first.message.messageId);
    expect(b.attempted_at.getTime() - a.attempted_at.getTime()).toBeGreaterThan(800);

    receiver.respondWith({ status: 503, headers: { 'retry-after': String(30 * 24 * 3600) } });
    const far = await oneMessage();
    const row = await waitFor('the first attempt', async () => {
      const d = await harness.deliveryOf(far.message.messageId);
      return d.attempt_count === 1 ? d : null;
    });
    const delay = row.next_attempt_at!.getTime() - row.last_attempt_at!.getTime();
    expect(delay).toBeGreaterThan(24 * 3600 * 1000 * SCALE - 100);
    expect(delay).toBeLessThanOrEqual(24 * 3600 * 1000 * SCALE + 100);
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const target = new PartnerReceiver();
    const targetUrl = await target.start();
    try {
      receiver.respondWith({ status: 302, headers: { location: targetUrl } });
      const { message } = await oneMessage();
      await waitFor('delivered', async () => (await harness.deliveryOf(message.messageId)).status === 'delivered', 10_000);
      const attempts = await harness.attemptsOf(message.messageId);
      expect(attempts.map((a) => a.status_code)).toEqual([302, 200]);
      expect(attempts[0].error).toMatch(/HTTP 302/);
      expect(target.received).toHaveLength(0);
    } finally {
      await target.stop();
    }
  });

  it('disables the endpoint at once on 410 Gone, keeps the message waiting and emails the partner', async () => {
    receiver.respondWith(410);
    const { message, endpoint } = await oneMessage();
    const row = await waitFor('the endpoint disabled', async () => {
      const [e] = await stack.sql<{ enabled: boolean; disabled_reason: string }>(`SELECT enabled, disabled_reason FROM endpoints WHERE id = $1`, [endpoint.id]);
      return e.enabled ? null : e;
    });
    expect(row.disabled_reason).toBe('gone');
    expect((await harness.attemptsOf(message.messageId)).map((a) => a.status_code)).toEqual([410]);
    // Well past the next scheduled attempt: nothing more is sent to a disabled endpoint.
    await new Promise((r) => setTimeout(r, 400));
    expect(await harness.attemptsOf(message.messageId)).toHaveLength(1);
    expect((await harness.deliveryOf(message.messageId)).status).toBe('pending');
    const mail = await waitFor('the email to the partner', () => stack.smtp.messages.find((m) => m.text?.includes(endpoint.id)));
    expect(mail.subject).toMatch(/désactivé|disabled/);
    expect(mail.text).toContain('410 Gone');
    // Marked as told, so neither the sweeper nor a retry sends it again.
    await waitFor('the notice marked as sent', async () => {
      const [e] = await stack.sql(`SELECT disabled_notice_sent_at FROM endpoints WHERE id = $1`, [endpoint.id]);
      return e.disabled_notice_sent_at;
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(stack.smtp.messages.filter((m) => m.text?.includes(endpoint.id))).toHaveLength(1);
  });

  it('stops retrying when the receiver answers webhook-delivery: abort', async () => {
    receiver.respondWith({ status: 500, headers: { 'webhook-delivery': 'abort' } });
    const { message } = await oneMessage();
    await waitFor('failed', async () => (await harness.deliveryOf(message.messageId)).status === 'failed');
    await new Promise((r) => setTimeout(r, 300));
    expect(await harness.attemptsOf(message.messageId)).toHaveLength(1);
    expect((await harness.deliveryOf(message.messageId)).failed_reason).toBe('aborted');
  });

  it('records an answer whose body holds a NUL byte (PostgreSQL text cannot): delivered once, the NUL shown as U+FFFD', async () => {
    receiver.respondWith({ status: 200, body: 'accepted\u0000ref=42' });
    const { message } = await oneMessage();
    await waitFor('delivered', async () => (await harness.deliveryOf(message.messageId)).status === 'delivered');
    const [attempt] = await stack.sql<{ response_body: string }>(`SELECT response_body FROM attempts WHERE message_id = $1`, [message.messageId]);
    expect(attempt.response_body).toBe('accepted\uFFFDref=42');
    expect(receiver.received.filter((r) => r.headers['webhook-id'] === message.messageId)).toHaveLength(1);
  });

  it('refuses a message over 256 KB when it is created, with a clear error', async () => {
    const partner = await harness.partner();
    await harness.endpoint(partner.token, url);
    const [orderId] = await harness.orders(partner.scope, 1);
    const big = { id: orderId, note: 'x'.repeat(256 * 1024) };
    await expect(harness.publish(partner.scope, [{ orderId, type: 'order.paid', data: big }])).rejects.toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/limited to 262144 bytes/),
    });
    expect(await stack.sql(`SELECT 1 FROM messages WHERE order_id = $1`, [orderId])).toHaveLength(0);
  });
});
