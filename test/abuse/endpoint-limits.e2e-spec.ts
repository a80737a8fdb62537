import { PartnerReceiver } from '@app/dev-servers';
import { DeliveryHarness } from '../support/delivery-harness';
import { TestStack } from '../support/test-stack';
import { waitFor } from '../support/wait-for';
import { changes, snapshot } from './side-effects';

/** A partner sets its endpoint's delivery limits through the API, and deliveries keep to them. */
describe('abuse: per-endpoint delivery limits are set through the API', () => {
  let stack: TestStack;
  let harness: DeliveryHarness;
  const receiver = new PartnerReceiver();
  let url: string;

  beforeAll(async () => {
    stack = await TestStack.start();
    harness = new DeliveryHarness(stack);
    url = await receiver.start();
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  /** The most requests the receiver held open at once while `count` messages about distinct orders were delivered. */
  async function peakConcurrency(scope: Awaited<ReturnType<DeliveryHarness['partner']>>['scope'], count: number): Promise<{ peak: number; spanMs: number }> {
    let open = 0;
    let peak = 0;
    const at: number[] = [];
    receiver.setHandler(() => {
      open++;
      peak = Math.max(peak, open);
      at.push(Date.now());
      setTimeout(() => open--, 150);
      return { status: 200, delayMs: 150 };
    });
    const published = await harness.publish(scope, (await harness.orders(scope, count)).map((orderId) => ({ orderId, type: 'order.paid' })));
    const ids = new Set(published.map((p) => p.messageId));
    await waitFor(`all ${count} delivered`, () => receiver.received.filter((r) => ids.has(String(r.headers['webhook-id']))).length === count, 30_000);
    return { peak, spanMs: Math.max(...at) - Math.min(...at) };
  }

  it('creates an endpoint with limits, shows them, and PATCH changes them; deliveries respect the in-flight cap', async () => {
    const { scope, token } = await harness.partner();
    const created = await stack.http('POST', '/v1/endpoints', { token, body: { url, max_in_flight: 2, rate_limit_per_second: 50 } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ max_in_flight: 2, rate_limit_per_second: 50 });
    const id = created.json.id as string;

    const patched = await stack.http('PATCH', `/v1/endpoints/${id}`, { token, body: { max_in_flight: 3, rate_limit_per_second: null } });
    expect([patched.status, patched.json.max_in_flight, patched.json.rate_limit_per_second]).toEqual([200, 3, null]);
    expect((await stack.http('GET', `/v1/endpoints/${id}`, { token })).json).toMatchObject({ max_in_flight: 3, rate_limit_per_second: null, stats: { max_in_flight: 3 } });
    expect((await stack.http('GET', '/v1/endpoints', { token })).json.data[0]).toMatchObject({ id, max_in_flight: 3 });

    // 15 messages about 15 orders could all go at once; the cap of 3 holds them to three at a time.
    const capped = await peakConcurrency(scope, 15);
    expect(capped.peak).toBeGreaterThanOrEqual(2);
    expect(capped.peak).toBeLessThanOrEqual(3);
  });

  it('paces deliveries to rate_limit_per_second', async () => {
    const { scope, token } = await harness.partner();
    const { id } = await stack.createEndpoint(token, url);
    expect((await stack.http('PATCH', `/v1/endpoints/${id}`, { token, body: { rate_limit_per_second: 5 } })).json.rate_limit_per_second).toBe(5);
    // 10 messages at 5 per second: the first and the last are at least ~1.8 s apart.
    const paced = await peakConcurrency(scope, 10);
    expect(paced.spanMs).toBeGreaterThanOrEqual(1500);
  });

  it('refuses out-of-bounds limits with 400 naming the field, changing nothing', async () => {
    const { token } = await harness.partner();
    const { id } = await stack.createEndpoint(token, url);
    // The worker finishes the earlier tests' deliveries first, and lets their endpoints' leases go: only the requests below may write now.
    await waitFor('no delivery in flight', async () => (await stack.sql(`SELECT 1 FROM deliveries WHERE status = 'pending'`)).length === 0 && (await stack.sql(`SELECT 1 FROM endpoints WHERE lease_owner IS NOT NULL`)).length === 0);
    const vectors: [string, Record<string, unknown>, string][] = [
      ['PATCH', { max_in_flight: 0 }, 'max_in_flight'],
      ['PATCH', { max_in_flight: 1001 }, 'max_in_flight'],
      ['PATCH', { max_in_flight: 2.5 }, 'max_in_flight'],
      ['PATCH', { max_in_flight: '5' }, 'max_in_flight'],
      ['PATCH', { max_in_flight: null }, 'max_in_flight'],
      ['PATCH', { rate_limit_per_second: 0 }, 'rate_limit_per_second'],
      ['PATCH', { rate_limit_per_second: 0.05 }, 'rate_limit_per_second'],
      ['PATCH', { rate_limit_per_second: 10_001 }, 'rate_limit_per_second'],
      ['PATCH', { rate_limit_per_second: -1 }, 'rate_limit_per_second'],
      ['PATCH', { rate_limit_per_second: 'fast' }, 'rate_limit_per_second'],
      ['PATCH', { description: 'ok', max_in_flight: 1e308 }, 'max_in_flight'],
      ['POST', { url, max_in_flight: 0 }, 'max_in_flight'],
      ['POST', { url, rate_limit_per_second: 1e6 }, 'rate_limit_per_second'],
    ];
    for (const [method, body, field] of vectors) {
      const before = await snapshot(stack);
      const res = await stack.http(method, method === 'POST' ? '/v1/endpoints' : `/v1/endpoints/${id}`, { token, body });
      expect({ body, status: res.status, fields: [...new Set(res.json?.error?.details?.map((d: { field: string }) => d.field))] }).toEqual({ body, status: 400, fields: [field] });
      expect(changes(before, await snapshot(stack))).toEqual([]);
    }
    const other = await harness.partner();
    expect((await stack.http('PATCH', `/v1/endpoints/${id}`, { token: other.token, body: { max_in_flight: 1 } })).status).toBe(404);
  });
});
