import { hostname } from 'node:os';
import { lookup } from 'node:dns/promises';
import { PartnerReceiver } from '@app/dev-servers';
import { forbiddenAddressReason } from '@app/webhooks';
import { messagesOf, paidOrder, TestPartner } from './support/partner-fixtures';
import { TestStack } from './support/test-stack';

/**
 * Tenancy, SSRF, rate limits, idempotency and secrets in logs. This stack
 * runs as production would: private networks refused, low rate limits, and
 * every log line captured.
 */
describe('partner API: isolation and safety', () => {
  let stack: TestStack;
  let a: TestPartner;
  let b: TestPartner;
  const logged: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

  beforeAll(async () => {
    const capture = (chunk: unknown) => {
      logged.push(String(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    stack = await TestStack.start({
      env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false', API_RATE_LIMIT_PER_SECOND: '1000', AUTH_FAILURES_PER_MINUTE: '1000', LOG_LEVEL: 'verbose', WEBHOOK_MAX_ATTEMPTS: '1' },
    });
    a = await stack.createPartner({ invoice_prefix: 'ISA' });
    b = await stack.createPartner({ invoice_prefix: 'ISB' });
  });

  afterAll(async () => {
    await stack?.stop();
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  });

  it('refuses private, loopback, link-local and IPv6-local URLs with a readable reason', async () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://10.0.0.5/x', 'http://192.168.1.10/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://[fd00::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://localhost/x']) {
      const res = await stack.http('POST', '/v1/endpoints', { token: a.api_keys.test, body: { url } });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect(res.json.error.details[0].message).toMatch(/public/);
    }
  });

  it('refuses, at connection time, a host name that resolves to an internal address', async () => {
    const name = hostname();
    const { address } = await lookup(name);
    if (!forbiddenAddressReason(address)) {
      console.warn(`skipped: ${name} resolves to ${address}, a public address, on this machine`);
      return;
    }
    const receiver = new PartnerReceiver();
    const url = (await receiver.start()).replace('127.0.0.1', name);
    try {
      const created = await stack.http('POST', '/v1/endpoints', { token: a.api_keys.test, body: { url } });
      expect(created.status).toBe(201);
      const ping = await stack.http('POST', `/v1/endpoints/${created.json.id}/test`, { token: a.api_keys.test });
      expect(ping.json.status_code).toBeNull();
      expect(ping.json.error).toMatch(new RegExp(`refused: ${name} resolves to ${address.replace(/\./g, '\\.')}`));
      expect(receiver.received).toHaveLength(0);
      await stack.http('DELETE', `/v1/endpoints/${created.json.id}`, { token: a.api_keys.test });
    } finally {
      await receiver.stop();
    }
  });

  it('gives 404 to another partner and to the other environment, for every kind of resource and action', async () => {
    const { orderId, invoiceId } = await paidOrder(stack, a.api_keys.test);
    const endpoint = await stack.createEndpoint(a.api_keys.test, 'https://hooks.partner-a.example/x');
    const [message] = await messagesOf(stack, orderId);
    const keyId = (await stack.http('GET', '/v1/api-keys', { token: a.api_keys.test })).json.data[0].id;
    const calls: [string, string, unknown?][] = [
      ['GET', `/v1/orders/${orderId}`],
      ['GET', `/v1/invoices/${invoiceId}`],
      ['GET', `/v1/invoices/${invoiceId}/pdf`],
      ['POST', `/v1/invoices/${invoiceId}/send`, {}],
      ['GET', `/v1/endpoints/${endpoint.id}`],
      ['PATCH', `/v1/endpoints/${endpoint.id}`, { description: 'taken over' }],
      ['DELETE', `/v1/endpoints/${endpoint.id}`],
      ['GET', `/v1/endpoints/${endpoint.id}/secret`],
      ['POST', `/v1/endpoints/${endpoint.id}/rotate-secret`],
      ['POST', `/v1/endpoints/${endpoint.id}/test`],
      ['GET', `/v1/endpoints/${endpoint.id}/attempts`],
      ['POST', `/v1/endpoints/${endpoint.id}/recover`, { since: '2026-01-01T00:00:00Z' }],
      ['GET', `/v1/messages/${message.id}`],
      ['GET', `/v1/messages/${message.id}/attempts`],
      ['POST', `/v1/messages/${message.id}/resend`, {}],
      ['DELETE', `/v1/api-keys/${keyId}`],
    ];
    for (const token of [b.api_keys.test, b.api_keys.live, a.api_keys.live]) {
      for (const [method, path, body] of calls) {
        const res = await stack.http(method, path, { token, body });
        expect({ method, path, status: res.status, code: res.json?.error?.code }).toEqual({ method, path, status: 404, code: 'not_found' });
      }
      expect((await stack.http('GET', `/v1/messages?order_id=${orderId}`, { token })).json.data).toEqual([]);
      expect((await stack.http('GET', `/v1/orders?partner_order_ref=${encodeURIComponent('x')}`, { token })).status).toBe(200);
    }
    // Nothing was changed by the refused calls.
    const still = await stack.http('GET', `/v1/endpoints/${endpoint.id}`, { token: a.api_keys.test });
    expect(still.json).toMatchObject({ url: 'https://hooks.partner-a.example/x', description: null });
    expect((await stack.http('GET', '/v1/api-keys', { token: a.api_keys.test })).json.data).toHaveLength(1);
  });

  it('replays the first response for the same Idempotency-Key and body, and refuses another body', async () => {
    const headers = { 'idempotency-key': 'create-endpoint-42' };
    const first = await stack.http('POST', '/v1/endpoints', { token: b.api_keys.test, headers, body: { url: 'https://hooks.b.example/one' } });
    const again = await stack.http('POST', '/v1/endpoints', { token: b.api_keys.test, headers, body: { url: 'https://hooks.b.example/one' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await stack.http('GET', '/v1/endpoints', { token: b.api_keys.test })).json.data).toHaveLength(1);
    const other = await stack.http('POST', '/v1/endpoints', { token: b.api_keys.test, headers, body: { url: 'https://hooks.b.example/two' } });
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe('idempotency_key_reused');
    // Keys are per partner and environment: the same key elsewhere is a new request.
    const elsewhere = await stack.http('POST', '/v1/endpoints', { token: b.api_keys.live, headers, body: { url: 'https://hooks.b.example/one' } });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.json.id).not.toBe(first.json.id);
    // A malformed key is refused before any work, on every POST.
    const badKey = await stack.http('POST', '/v1/checkout-sessions', { token: b.api_keys.test, headers: { 'idempotency-key': 'x'.repeat(201) }, body: {} });
    expect(badKey.status).toBe(400);
    expect(badKey.json.error.details[0].field).toBe('Idempotency-Key');
    // A request that failed validation leaves the key free for the corrected retry.
    const invalid = await stack.http('POST', '/v1/endpoints', { token: a.api_keys.test, headers: { 'idempotency-key': 'k2' }, body: { url: 'nope' } });
    expect(invalid.status).toBe(400);
    expect((await stack.http('POST', '/v1/endpoints', { token: a.api_keys.test, headers: { 'idempotency-key': 'k2' }, body: { url: 'https://hooks.a.example/k2' } })).status).toBe(201);
  });

  it('writes no API key and no signing secret in any log line', async () => {
    const endpoint = await stack.createEndpoint(a.api_keys.test, 'https://hooks.a.example/logs');
    await stack.http('POST', `/v1/endpoints/${endpoint.id}/rotate-secret`, { token: a.api_keys.test });
    await stack.http('GET', '/v1/endpoints', { token: 'ca_test_wrongwrongwrong' });
    const secrets = [a.api_keys.test, a.api_keys.live, b.api_keys.test, b.api_keys.live, endpoint.secret, 'ca_test_wrongwrongwrong'];
    const text = logged.join('');
    expect(text.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/whsec_[A-Za-z0-9+/=]{20,}/);
  });
});

describe('partner API: rate limits', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false, env: { API_RATE_LIMIT_PER_SECOND: '5', AUTH_FAILURES_PER_MINUTE: '3' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 429 with Retry-After past the per-key rate', async () => {
    const p = await stack.createPartner({ invoice_prefix: 'RLT' });
    const answers = await Promise.all(Array.from({ length: 12 }, () => stack.http('GET', '/v1/endpoints', { token: p.api_keys.test })));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(answers.filter((r) => r.status === 200).length).toBeLessThanOrEqual(10);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited[0].json.error.code).toBe('rate_limited');
  });

  it('refuses a client that keeps failing authentication, even with a good key, for the rest of the minute', async () => {
    const p = await stack.createPartner({ invoice_prefix: 'RLA' });
    for (let i = 0; i < 3; i++) expect((await stack.http('GET', '/v1/endpoints', { token: `ca_test_guess${i}` })).status).toBe(401);
    const blocked = await stack.http('GET', '/v1/endpoints', { token: p.api_keys.live });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
