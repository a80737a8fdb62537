import { RedisProcess } from '../support/redis-process';
import { ADMIN_TOKEN, TestStack } from '../support/test-stack';

const LIMIT = 30;
const BURST = 100;

type Answer = { status: number; code?: string; retryAfter: number };

/** Fires `BURST` requests at once and tallies the answers by status. */
async function burst(stack: TestStack, send: (i: number) => Promise<Response>): Promise<{ counts: Record<number, number>; answers: Answer[] }> {
  const answers = await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const res = await send(i);
      const body = (await res.json().catch(() => ({}))) as { error?: { code: string } };
      return { status: res.status, code: body.error?.code, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
    }),
  );
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return { counts, answers };
}

const get = (stack: TestStack, path: string, headers: Record<string, string>) => fetch(stack.apiUrl + path, { headers });

/**
 * Abuse: credential guessing over real HTTP. A client IP gets exactly AUTH_FAILURES_PER_MINUTE wrong answers,
 * however many guesses it fires at once, on /v1 and on /admin (routes and queue dashboard); X-Forwarded-For is
 * believed only from TRUSTED_PROXIES; and a Redis outage does not open the door.
 */
describe('abuse: authentication brute force', () => {
  describe('without trusted proxies', () => {
    let stack: TestStack;

    beforeEach(async () => {
      stack = await TestStack.start({ worker: false, env: { AUTH_FAILURES_PER_MINUTE: String(LIMIT) } });
    });

    afterEach(async () => {
      await stack?.stop();
    });

    it(`answers ${BURST} concurrent bad partner keys with exactly ${LIMIT} x 401, then 429 even for a good key`, async () => {
      const partner = await stack.createPartner({ invoice_prefix: 'BFP' });
      const { counts, answers } = await burst(stack, (i) => get(stack, '/v1/orders', { authorization: `Bearer ca_test_guess${i}` }));
      expect(counts).toEqual({ 401: LIMIT, 429: BURST - LIMIT });
      expect(answers.filter((a) => a.status === 429).every((a) => a.code === 'rate_limited' && a.retryAfter >= 1 && a.retryAfter <= 60)).toBe(true);
      expect((await get(stack, '/v1/orders', { authorization: `Bearer ${partner.api_keys.test}` })).status).toBe(429);
    });

    it(`limits /admin the same way: bad operator tokens (routes and queue dashboard) count, ${LIMIT} x 401 then 429`, async () => {
      const { counts } = await burst(stack, (i) =>
        i % 2 === 0 ? get(stack, '/admin/overview', { authorization: `Bearer wrong-admin-token-${i}` }) : get(stack, '/admin/queues', { authorization: `Basic ${Buffer.from(`op:guess${i}`).toString('base64')}` }),
      );
      expect(counts).toEqual({ 401: LIMIT, 429: BURST - LIMIT });
      expect((await get(stack, '/admin/overview', { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(429);
      expect((await get(stack, '/admin/queues', { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(429);
    });

    it('ignores a spoofed X-Forwarded-For: every guess counts against the connection, whatever the header says', async () => {
      const { counts } = await burst(stack, (i) => get(stack, '/v1/orders', { authorization: `Bearer ca_test_spoof${i}`, 'x-forwarded-for': `198.51.100.${i}` }));
      expect(counts).toEqual({ 401: LIMIT, 429: BURST - LIMIT });
    });
  });

  describe('behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1)', () => {
    let stack: TestStack;

    beforeAll(async () => {
      stack = await TestStack.start({ worker: false, env: { AUTH_FAILURES_PER_MINUTE: String(LIMIT), TRUSTED_PROXIES: '127.0.0.1' } });
    });

    afterAll(async () => {
      await stack?.stop();
    });

    it('counts per forwarded client, taking the right-most hop the proxy does not vouch for', async () => {
      const client = '203.0.113.7';
      // The client writes its own X-Forwarded-For; the proxy appends the address it saw: only that one counts.
      const { counts } = await burst(stack, (i) => get(stack, '/v1/orders', { authorization: `Bearer ca_test_fwd${i}`, 'x-forwarded-for': `198.51.100.${i}, ${client}` }));
      expect(counts).toEqual({ 401: LIMIT, 429: BURST - LIMIT });
      expect((await get(stack, '/v1/orders', { authorization: 'Bearer ca_test_x', 'x-forwarded-for': client })).status).toBe(429);
      // Another client behind the same proxy is not affected.
      expect((await get(stack, '/v1/orders', { authorization: 'Bearer ca_test_x', 'x-forwarded-for': '203.0.113.8' })).status).toBe(401);
    });

    it('counts an IPv6 client per /64, so rotating addresses inside its allocation gains nothing', async () => {
      const { counts } = await burst(stack, (i) => get(stack, '/v1/orders', { authorization: `Bearer ca_test_v6${i}`, 'x-forwarded-for': `2001:db8:1:2::${(i + 1).toString(16)}` }));
      expect(counts).toEqual({ 401: LIMIT, 429: BURST - LIMIT });
      expect((await get(stack, '/v1/orders', { authorization: 'Bearer ca_test_x', 'x-forwarded-for': '2001:db8:1:3::1' })).status).toBe(401);
    });
  });

  describe('while Redis is down', () => {
    const redis = new RedisProcess();
    let stack: TestStack;
    let redisStopped = false;

    beforeAll(async () => {
      await redis.start();
      stack = await TestStack.start({ worker: false, env: { REDIS_URL: redis.url, AUTH_FAILURES_PER_MINUTE: String(LIMIT), API_RATE_LIMIT_PER_SECOND: '5' } });
    });

    afterAll(async () => {
      // Back first: closing the queues waits for Redis.
      if (redisStopped) await redis.start();
      await stack?.stop();
      await redis.stop();
    });

    it('keeps every limit in the process and keeps serving good keys', async () => {
      const partner = await stack.createPartner({ invoice_prefix: 'BFR' });
      await redis.stop();
      redisStopped = true;
      // Served without Redis: PostgreSQL holds the partner's data.
      expect((await get(stack, '/v1/endpoints', { authorization: `Bearer ${partner.api_keys.test}` })).status).toBe(200);
      const started = Date.now();
      const perKey = await burst(stack, () => get(stack, '/v1/endpoints', { authorization: `Bearer ${partner.api_keys.live}` }));
      // 5 a second per key: a burst that a loaded machine stretches over several seconds opens a window each second.
      const allowed = 5 * (Math.floor((Date.now() - started) / 1000) + 2);
      expect(perKey.counts[200]).toBeLessThanOrEqual(allowed);
      expect(perKey.counts[429]).toBeGreaterThanOrEqual(BURST - allowed);
      const { counts } = await burst(stack, (i) => get(stack, '/v1/orders', { authorization: `Bearer ca_test_down${i}` }));
      expect(counts).toEqual({ 401: LIMIT, 429: BURST - LIMIT });
    });
  });
});
