import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { paidOrder, TestPartner } from './support/partner-fixtures';
import { ADMIN_TOKEN, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Keys, endpoints, secrets and pings, through HTTP on real PostgreSQL and Redis. */
describe('partner API: keys and endpoints', () => {
  let stack: TestStack;
  let partner: TestPartner;

  beforeAll(async () => {
    stack = await TestStack.start();
    partner = await stack.createPartner({ invoice_prefix: 'KEY' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates, lists and revokes keys, but never the last one of an environment', async () => {
    const listed = await stack.http('GET', '/v1/api-keys', { token: partner.api_keys.test });
    expect(listed.json.data).toHaveLength(1);
    expect(listed.json.data[0]).toMatchObject({ environment: 'staging', prefix: partner.api_keys.test.slice(0, 12) });
    expect(JSON.stringify(listed.json)).not.toContain(partner.api_keys.test);

    const lastOne = await stack.http('DELETE', `/v1/api-keys/${listed.json.data[0].id}`, { token: partner.api_keys.test });
    expect(lastOne.status).toBe(409);
    expect(lastOne.json.error.message).toMatch(/last staging key/);

    const created = await stack.http('POST', '/v1/api-keys', { token: partner.api_keys.test });
    expect(created.status).toBe(201);
    expect(created.json.key).toMatch(/^ca_test_/);
    const second = created.json.key as string;
    expect((await stack.http('GET', '/v1/endpoints', { token: second })).status).toBe(200);

    expect((await stack.http('DELETE', `/v1/api-keys/${listed.json.data[0].id}`, { token: second })).status).toBe(204);
    expect((await stack.http('GET', '/v1/endpoints', { token: partner.api_keys.test })).status).toBe(401);
    partner.api_keys.test = second;
    // The production keys were never touched.
    expect((await stack.http('GET', '/v1/api-keys', { token: partner.api_keys.live })).json.data).toHaveLength(1);
  });

  it('lets the operator issue a key to a partner that lost its own', async () => {
    const res = await stack.http('POST', `/admin/partners/${partner.id}/api-keys`, { token: ADMIN_TOKEN, body: { environment: 'production' } });
    expect(res.status).toBe(201);
    expect(res.json.key).toMatch(/^ca_live_/);
    expect((await stack.http('GET', '/v1/api-keys', { token: res.json.key })).json.data).toHaveLength(2);
    expect((await stack.http('POST', '/admin/partners/par_nope/api-keys', { token: ADMIN_TOKEN, body: { environment: 'staging' } })).status).toBe(404);
  });

  it('manages endpoints: create, get, update, delete, with URL rules named in the error', async () => {
    const token = partner.api_keys.test;
    const created = await stack.createEndpoint(token, stack.receiverUrl, { description: 'Order sync', event_types: ['order.paid'] });
    const got = await stack.http('GET', `/v1/endpoints/${created.id}`, { token });
    expect(got.json).toMatchObject({ id: created.id, environment: 'staging', description: 'Order sync', event_types: ['order.paid'], enabled: true });
    expect(got.json.secret).toBeUndefined();

    const patched = await stack.http('PATCH', `/v1/endpoints/${created.id}`, { token, body: { description: 'All events', event_types: [], enabled: false } });
    expect(patched.json).toMatchObject({ description: 'All events', event_types: [], enabled: false });
    const badType = await stack.http('PATCH', `/v1/endpoints/${created.id}`, { token, body: { event_types: ['order.exploded'] } });
    expect(badType.status).toBe(400);
    const empty = await stack.http('PATCH', `/v1/endpoints/${created.id}`, { token, body: {} });
    expect(empty.status).toBe(400);

    const cases: [string, string, RegExp][] = [
      [token, 'not a url', /absolute URL/],
      [token, 'ftp://example.com/x', /https/],
      [token, 'https://user:pw@example.com/x', /credentials/],
      [partner.api_keys.live, 'http://hooks.example.com/x', /https:\/\/ in production/],
    ];
    for (const [key, url, message] of cases) {
      const res = await stack.http('POST', '/v1/endpoints', { token: key, body: { url } });
      expect(res.status).toBe(400);
      expect(res.json.error.details[0]).toMatchObject({ field: 'url', message: expect.stringMatching(message) });
    }
    const unknown = await stack.http('POST', '/v1/endpoints', { token, body: { url: 'https://example.com/x', colour: 'blue' } });
    expect(unknown.status).toBe(400);

    expect((await stack.http('DELETE', `/v1/endpoints/${created.id}`, { token })).status).toBe(204);
    expect((await stack.http('GET', `/v1/endpoints/${created.id}`, { token })).status).toBe(404);
    expect((await stack.http('GET', '/v1/endpoints', { token })).json.data.map((e: { id: string }) => e.id)).not.toContain(created.id);
  });

  it('caps endpoints at 10 per environment', async () => {
    const other = await stack.createPartner({ invoice_prefix: 'CAP' });
    await Promise.all(Array.from({ length: 10 }, (_, i) => stack.createEndpoint(other.api_keys.live, `https://hooks${i}.example.com/x`)));
    const eleventh = await stack.http('POST', '/v1/endpoints', { token: other.api_keys.live, body: { url: 'https://hooks.example.com/11' } });
    expect(eleventh.status).toBe(409);
    expect(eleventh.json.error.message).toMatch(/At most 10 endpoints/);
    expect((await stack.http('GET', '/v1/endpoints', { token: other.api_keys.test })).json.data).toHaveLength(0);
  });

  it('sends a signed ping and returns the attempt, which shows in the endpoint attempts', async () => {
    const token = partner.api_keys.test;
    const endpoint = await stack.createEndpoint(token);
    stack.receiver.respondWith(503);
    const failed = await stack.http('POST', `/v1/endpoints/${endpoint.id}/test`, { token });
    expect(failed.json).toMatchObject({ status_code: 503, error: 'HTTP 503', endpoint_id: endpoint.id });
    const ok = await stack.http('POST', `/v1/endpoints/${endpoint.id}/test`, { token });
    expect(ok.json).toMatchObject({ status_code: 200, error: null, response_body: '{"ok":true}' });
    expect(ok.json.duration_ms).toBeGreaterThanOrEqual(0);
    const ping = stack.receiver.received.at(-1)!;
    expect(new Webhook(endpoint.secret).verify(ping.body, ping.headers as Record<string, string>)).toMatchObject({ type: 'ping', data: { endpoint_id: endpoint.id } });
    const attempts = await stack.http('GET', `/v1/endpoints/${endpoint.id}/attempts`, { token });
    expect(attempts.json.data.map((a: { status_code: number }) => a.status_code)).toEqual([200, 503]);
  });

  it('rotates the secret: both secrets verify during the overlap, only the new one after it', async () => {
    const token = partner.api_keys.test;
    const endpoint = await stack.createEndpoint(token, `${stack.receiverUrl}/rotation`, { event_types: ['order.paid'] });
    const fetched = await stack.http('GET', `/v1/endpoints/${endpoint.id}/secret`, { token });
    expect(fetched.json.secret).toBe(endpoint.secret);
    const rotated = await stack.http('POST', `/v1/endpoints/${endpoint.id}/rotate-secret`, { token });
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(endpoint.secret);
    expect(new Date(rotated.json.previous_secret_expires_at).getTime() - Date.now()).toBeGreaterThan(23.9 * 3600 * 1000);

    const { orderId } = await paidOrder(stack, token);
    const mine = (id: string) => stack.receiver.ofType('order.paid').find((r) => r.path === '/webhooks/rotation' && JSON.parse(r.body).data.id === id);
    const during = await waitFor('order.paid', () => mine(orderId));
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, rotated.json.secret]) {
      expect(() => new Webhook(secret).verify(during.body, during.headers as Record<string, string>)).not.toThrow();
    }

    await stack.sql(`UPDATE endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [endpoint.id]);
    const after = await paidOrder(stack, token);
    const later = await waitFor('order.paid', () => mine(after.orderId));
    expect(() => new Webhook(rotated.json.secret).verify(later.body, later.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(later.body, later.headers as Record<string, string>)).toThrow();
  });

  it('does not follow a redirect, even to an address it could reach', async () => {
    const token = partner.api_keys.test;
    let redirected = 0;
    const target = createServer((_req, res) => {
      redirected++;
      res.end('ok');
    });
    const redirector = createServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${(target.address() as AddressInfo).port}/internal` });
      res.end();
    });
    await Promise.all([new Promise<void>((r) => target.listen(0, '127.0.0.1', r)), new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r))]);
    try {
      const endpoint = await stack.createEndpoint(token, `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`);
      const ping = await stack.http('POST', `/v1/endpoints/${endpoint.id}/test`, { token });
      expect(ping.json).toMatchObject({ status_code: 302, error: 'HTTP 302' });
      expect(redirected).toBe(0);
    } finally {
      target.close();
      redirector.close();
    }
  });
});
