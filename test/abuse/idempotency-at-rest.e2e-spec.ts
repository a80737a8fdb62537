import { createHash } from 'node:crypto';
import { TestPartner } from '../support/partner-fixtures';
import { TestStack } from '../support/test-stack';

const SECRET_SHAPES = /whsec_|ca_test_|ca_live_/;

/**
 * Abuse: what an Idempotency-Key leaves in PostgreSQL. Responses carry endpoint signing secrets and API keys;
 * a database dump must show none of them, while a retry still gets the first answer, status and bytes.
 */
describe('abuse: idempotency records at rest', () => {
  let stack: TestStack;
  let p: TestPartner;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false });
    p = await stack.createPartner({ invoice_prefix: 'IDR' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const post = (path: string, key: string, body?: unknown) =>
    stack.http('POST', path, { token: p.api_keys.test, headers: { 'idempotency-key': key }, body });
  const storedRows = async () => (await stack.sql<{ row: string }>(`SELECT row_to_json(k)::text AS row FROM idempotency_keys k`)).map((r) => r.row);

  it('stores no endpoint secret and no API key in clear, and replays status and bytes exactly', async () => {
    const created = await post('/v1/endpoints', 'ep-create-1', { url: 'https://hooks.idr.example/one' });
    const rotated = await post(`/v1/endpoints/${created.json.id}/rotate-secret`, 'ep-rotate-1');
    const key = await post('/v1/api-keys', 'key-create-1');
    expect([created.status, rotated.status, key.status]).toEqual([201, 200, 201]);
    const secrets = [created.json.secret, rotated.json.secret, key.json.key];
    expect(secrets.every((s: string) => SECRET_SHAPES.test(s))).toBe(true);

    const rows = await storedRows();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).not.toMatch(SECRET_SHAPES);
      for (const secret of secrets) expect(row).not.toContain(secret.slice(6));
    }

    const again = [
      await post('/v1/endpoints', 'ep-create-1', { url: 'https://hooks.idr.example/one' }),
      await post(`/v1/endpoints/${created.json.id}/rotate-secret`, 'ep-rotate-1'),
      await post('/v1/api-keys', 'key-create-1'),
    ];
    [created, rotated, key].forEach((first, i) => {
      expect(again[i].status).toBe(first.status);
      expect(again[i].buffer.equals(first.buffer)).toBe(true);
      expect(again[i].headers.get('idempotent-replayed')).toBe('true');
    });
    expect((await stack.http('GET', '/v1/api-keys', { token: p.api_keys.test })).json.data).toHaveLength(2);
  });

  it('forgets a secret once its endpoint is deleted or its key revoked: the key stays spent, the replay answers 409', async () => {
    const endpoint = await post('/v1/endpoints', 'ep-create-2', { url: 'https://hooks.idr.example/two' });
    const key = await post('/v1/api-keys', 'key-create-2');
    expect((await stack.http('DELETE', `/v1/endpoints/${endpoint.json.id}`, { token: p.api_keys.test })).status).toBe(204);
    expect((await stack.http('DELETE', `/v1/api-keys/${key.json.id}`, { token: p.api_keys.test })).status).toBe(204);

    for (const replay of [await post('/v1/endpoints', 'ep-create-2', { url: 'https://hooks.idr.example/two' }), await post('/v1/api-keys', 'key-create-2')]) {
      expect(replay.status).toBe(409);
      expect(replay.json.error.code).toBe('conflict');
      expect(replay.buffer.toString()).not.toMatch(SECRET_SHAPES);
    }
    // Nothing was created again by the refused retries.
    expect((await stack.http('GET', '/v1/endpoints', { token: p.api_keys.test })).json.data.map((e: { id: string }) => e.id)).not.toContain(endpoint.json.id);
    const left = await stack.sql(`SELECT 1 FROM idempotency_keys WHERE key IN ('ep-create-2', 'key-create-2') AND response_sealed IS NOT NULL`);
    expect(left).toHaveLength(0);
  });

  it('frees the key of a request that died mid-flight once its lease has run out', async () => {
    const body = { url: 'https://hooks.idr.example/crashed' };
    const raw = JSON.stringify(body);
    const hash = createHash('sha256').update('POST /v1/endpoints\n').update(raw).digest('hex');
    // What a request leaves when its process is killed before it answers: the claim, no status, no response.
    const claim = (key: string, leaseEnd: string) =>
      stack.sql(
        `INSERT INTO idempotency_keys (partner_id, environment, key, method, path, request_hash, created_at, lease_expires_at)
         VALUES ($1, 'staging', $2, 'POST', '/v1/endpoints', $3, now() - interval '61 seconds', now() + $4::interval)`,
        [p.id, key, hash, leaseEnd],
      );
    await claim('crashed-1', '-1 second');
    await claim('in-flight-1', '59 seconds');

    const stillRunning = await post('/v1/endpoints', 'in-flight-1', body);
    expect(stillRunning.status).toBe(409);
    expect(stillRunning.json.error.code).toBe('idempotency_key_in_use');

    const retried = await post('/v1/endpoints', 'crashed-1', body);
    expect([retried.status, retried.json.error?.code]).toEqual([201, undefined]);
    const replay = await post('/v1/endpoints', 'crashed-1', body);
    expect(replay.status).toBe(201);
    expect(replay.buffer.equals(retried.buffer)).toBe(true);
  });
});
