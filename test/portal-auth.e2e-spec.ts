import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { PARTNER_EVENT_SCHEMAS, PARTNER_EVENT_TYPES } from '@app/webhooks';
import { ADMIN_TOKEN, TestStack } from './support/test-stack';

/**
 * Partner portal sign-in (issue #16) over HTTP: links made by an operator or by the partner's backend, exchanged
 * once for a session cookie that reaches /v1 in the environment the request names, with CSRF on every change.
 */
describe('partner portal: links, sessions and the web app', () => {
  let stack: TestStack;
  let a: { id: string; api_keys: { test: string; live: string } };
  let b: { id: string; api_keys: { test: string; live: string } };
  const work = mkdtempSync(join(tmpdir(), 'portal-auth-'));
  const dist = join(work, 'dist-portal');
  // The run's secret scan reads the same file when it set one.
  const logFile = process.env.LOG_FILE ?? join(work, 'api.log');
  const tokensSeen: string[] = [];

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Portail</title><script type="module" src="/portal/assets/app-1a2b.js"></script>');
    writeFileSync(join(dist, 'assets', 'app-1a2b.js'), 'console.log("portal")');
    // Everything the api logs, at the most talkative level, to look for link tokens in it.
    // A rate limit low enough for a burst to reach, high enough for the other tests' sequential calls.
    stack = await TestStack.start({ worker: false, env: { PORTAL_DIST_DIR: dist, LOG_LEVEL: 'verbose', LOG_FILE: logFile, API_RATE_LIMIT_PER_SECOND: '40' } });
    a = await stack.createPartner({ invoice_prefix: 'PTA' });
    b = await stack.createPartner({ invoice_prefix: 'PTB', name: 'Bureau Voisin' });
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function adminLink(partnerId: string, environment?: 'staging' | 'production') {
    const res = await stack.http('POST', `/admin/partners/${partnerId}/portal-links`, { token: ADMIN_TOKEN, body: environment ? { environment } : {} });
    expect(res.status).toBe(201);
    tokensSeen.push(new URL(res.json.url).searchParams.get('token')!);
    return res.json as { object: string; url: string; expires_at: string };
  }

  /** Opens a link like a browser would, without following the redirect. */
  async function open(url: string) {
    const path = new URL(url);
    return fetch(`${stack.apiUrl}${path.pathname}${path.search}`, { redirect: 'manual' });
  }

  async function signIn(partnerId = a.id, environment?: 'staging' | 'production') {
    const res = await open((await adminLink(partnerId, environment)).url);
    expect(res.status).toBe(303);
    const cookie = /^ca_portal=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
    const session = await stack.http('GET', '/portal/api/session', { headers: { cookie: `ca_portal=${cookie}` } });
    return { cookie: `ca_portal=${cookie}`, csrf: session.json.csrf_token as string, session: session.json };
  }

  const asSession = (s: { cookie: string; csrf?: string }, environment?: string, extra: Record<string, string> = {}) => ({
    cookie: s.cookie,
    ...(environment ? { 'comptappart-environment': environment } : {}),
    ...(s.csrf ? { 'x-csrf-token': s.csrf } : {}),
    ...extra,
  });

  it('an operator makes a 15-minute link for the public URL; the partner backend makes one with its key, in its environment', async () => {
    const before = Date.now();
    const link = await adminLink(a.id);
    expect(link.object).toBe('portal_link');
    expect(link.url).toMatch(/^http:\/\/comptappart\.test\/portal\/login\?token=pl_[A-Za-z0-9_-]{43}$/);
    const ttl = new Date(link.expires_at).getTime() - before;
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 1000);

    const byKey = await stack.http('POST', '/v1/portal-sessions', { token: a.api_keys.live, body: {} });
    expect(byKey.status).toBe(201);
    tokensSeen.push(new URL(byKey.json.url).searchParams.get('token')!);
    const opened = await open(byKey.json.url);
    const cookie = /^ca_portal=([^;]+)/.exec(opened.headers.get('set-cookie') ?? '')![1];
    const session = await stack.http('GET', '/portal/api/session', { headers: { cookie: `ca_portal=${cookie}` } });
    expect(session.json).toMatchObject({ object: 'portal_session', partner: { id: a.id, name: 'Atelier Lumière' }, environment: 'production' });

    // Only hashes are stored: neither the token nor the cookie value is in the tables.
    const rows = await stack.sql<{ token_hash: string }>('SELECT token_hash FROM portal_links');
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
    const dump = JSON.stringify([await stack.sql('SELECT * FROM portal_links'), await stack.sql('SELECT * FROM portal_sessions')]);
    expect(dump).not.toContain(new URL(byKey.json.url).searchParams.get('token')!);
    expect(dump).not.toContain(cookie);

    // Links past RETENTION_DAYS (30 by default) go, with the sessions they opened, when the next link is made.
    await stack.sql(`UPDATE portal_links SET expires_at = now() - interval '31 days', created_at = now() - interval '31 days' WHERE token_hash = $1`, [rows[0].token_hash]);
    await adminLink(b.id);
    expect(await stack.sql('SELECT 1 FROM portal_links WHERE token_hash = $1', [rows[0].token_hash])).toEqual([]);

    expect((await stack.http('POST', '/admin/partners/par_nobody/portal-links', { token: ADMIN_TOKEN, body: {} })).status).toBe(404);
    const bad = await stack.http('POST', `/admin/partners/${a.id}/portal-links`, { token: ADMIN_TOKEN, body: { environment: 'prod' } });
    expect(bad.status).toBe(400);
    expect((await stack.http('POST', `/admin/partners/${a.id}/portal-links`, { body: {} })).status).toBe(401);
  });

  it('exchanging a link sets an HttpOnly, SameSite=Strict cookie for 8 hours and sends the browser to /portal/', async () => {
    const res = await open((await adminLink(a.id)).url);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/portal/');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ca_portal=ps_[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('Max-Age=28800');
    // Not production here: Secure would stop a browser on http://localhost from sending it back.
    expect(cookie).not.toContain('Secure');
  });

  it('a link opens one session: the second use, an expired, a forged and an unknown link get a clear page with a stable code', async () => {
    const link = await adminLink(a.id);
    // A link checker's HEAD does not spend it.
    const probed = await fetch(`${stack.apiUrl}${new URL(link.url).pathname}${new URL(link.url).search}`, { method: 'HEAD', redirect: 'manual' });
    expect(probed.status).toBe(200);
    expect(probed.headers.get('set-cookie')).toBeNull();
    expect((await open(link.url)).status).toBe(303);
    const reused = await open(link.url);
    expect(reused.status).toBe(410);
    expect(reused.headers.get('content-type')).toContain('text/html');
    expect(reused.headers.get('set-cookie')).toBeNull();
    const reusedPage = await reused.text();
    expect(reusedPage).toContain('portal_link_used');
    expect(reusedPage).toContain('déjà servi');
    expect(reusedPage).toContain('already used');
    expect(reused.headers.get('content-security-policy')).toContain("default-src 'none'");

    // 15 minutes: the row is backdated rather than the test waiting.
    const expiring = await adminLink(a.id);
    const hash = (await stack.sql<{ token_hash: string }>('SELECT token_hash FROM portal_links ORDER BY created_at DESC LIMIT 1'))[0].token_hash;
    await stack.sql(`UPDATE portal_links SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [hash]);
    const expired = await open(expiring.url);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('portal_link_expired');

    const forged = await open(`${stack.apiUrl}/portal/login?token=pl_${'A'.repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('portal_link_invalid');
    for (const query of ['', '?token=', '?token=ca_test_notalink', '?token[]=x', `?token=${encodeURIComponent('pl_<script>')}`]) {
      const res = await open(`${stack.apiUrl}/portal/login${query}`);
      expect(res.status).toBe(400);
      const page = await res.text();
      expect(page).toContain('portal_link_invalid');
      expect(page).not.toContain('<script>');
    }
  });

  it("a disabled partner gets no link, and a link made before it was disabled opens nothing; its sessions stop", async () => {
    const c = await stack.createPartner({ invoice_prefix: 'PTC' });
    const link = await adminLink(c.id);
    const session = await signIn(c.id);
    expect((await stack.http('PATCH', `/admin/partners/${c.id}`, { token: ADMIN_TOKEN, body: { disabled: true } })).status).toBe(200);

    const refused = await stack.http('POST', `/admin/partners/${c.id}/portal-links`, { token: ADMIN_TOKEN, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('partner_disabled');
    const opened = await open(link.url);
    expect(opened.status).toBe(403);
    expect(await opened.text()).toContain('partner_disabled');
    const read = await stack.http('GET', '/v1/endpoints', { headers: asSession(session, 'staging') });
    expect(read.status).toBe(403);
    expect(read.json.error.code).toBe('partner_disabled');
  });

  it('a session reaches /v1 in the environment the request names, and only its own partner', async () => {
    const session = await signIn(a.id);
    expect(session.session).toMatchObject({ environment: 'staging', partner: { id: a.id } });
    expect(session.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const staging = await stack.createEndpoint(a.api_keys.test, 'http://staging.example.test/hook');
    const production = await stack.http('POST', '/v1/endpoints', { token: a.api_keys.live, body: { url: 'https://production.example.test/hook' } });
    expect(production.status).toBe(201);
    const other = await stack.createEndpoint(b.api_keys.test, 'http://other.example.test/hook');

    const inStaging = await stack.http('GET', '/v1/endpoints', { headers: asSession(session, 'staging') });
    expect(inStaging.status).toBe(200);
    expect(inStaging.json.data.map((e: { id: string }) => e.id)).toEqual([staging.id]);
    const inProduction = await stack.http('GET', '/v1/endpoints', { headers: asSession(session, 'production') });
    expect(inProduction.json.data.map((e: { id: string }) => e.id)).toEqual([production.json.id]);

    // One environment's endpoint does not exist in the other, nor another partner's anywhere.
    expect((await stack.http('GET', `/v1/endpoints/${production.json.id}`, { headers: asSession(session, 'staging') })).status).toBe(404);
    expect((await stack.http('GET', `/v1/endpoints/${staging.id}`, { headers: asSession(session, 'production') })).status).toBe(404);
    expect((await stack.http('GET', `/v1/endpoints/${other.id}`, { headers: asSession(session, 'staging') })).status).toBe(404);
    const foreignDelete = await stack.http('DELETE', `/v1/endpoints/${other.id}`, { headers: asSession(session, 'staging') });
    expect(foreignDelete.status).toBe(404);
    expect((await stack.http('GET', `/v1/endpoints/${other.id}`, { token: b.api_keys.test })).status).toBe(200);

    for (const environment of [undefined, 'live', 'Staging']) {
      const res = await stack.http('GET', '/v1/endpoints', { headers: asSession(session, environment) });
      expect(res.status).toBe(400);
      expect(res.json.error.details[0].field).toBe('ComptAppart-Environment');
    }

    // A change made with the session lands in the environment it named.
    const created = await stack.http('POST', '/v1/endpoints', { headers: asSession(session, 'production'), body: { url: 'https://second.example.test/hook' } });
    expect(created.status).toBe(201);
    expect((await stack.sql<{ environment: string; partner_id: string }>('SELECT environment, partner_id FROM endpoints WHERE id = $1', [created.json.id]))[0]).toEqual({ environment: 'production', partner_id: a.id });
  });

  it('every change needs the CSRF token of the session; reads do not', async () => {
    const session = await signIn(a.id);
    const endpoint = await stack.createEndpoint(a.api_keys.test, 'http://csrf.example.test/hook');
    const noCsrf = { cookie: session.cookie };
    const wrong = { cookie: session.cookie, csrf: `${session.csrf.slice(0, -1)}${session.csrf.endsWith('A') ? 'B' : 'A'}` };
    const other = await signIn(b.id);
    const attempts: [string, string, unknown][] = [
      ['POST', '/v1/endpoints', { url: 'http://csrf2.example.test/hook' }],
      ['PATCH', `/v1/endpoints/${endpoint.id}`, { description: 'changed' }],
      ['POST', `/v1/endpoints/${endpoint.id}/disable`, undefined],
      ['DELETE', `/v1/endpoints/${endpoint.id}`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      for (const who of [noCsrf, wrong, { cookie: session.cookie, csrf: other.csrf }]) {
        const res = await stack.http(method, path, { headers: asSession(who, 'staging'), body });
        expect([method, path, res.status, res.json?.error?.code]).toEqual([method, path, 403, 'csrf_failed']);
      }
    }
    const unchanged = await stack.http('GET', `/v1/endpoints/${endpoint.id}`, { headers: asSession(noCsrf, 'staging') });
    expect(unchanged.status).toBe(200);
    expect(unchanged.json.enabled).toBe(true);
    const patched = await stack.http('PATCH', `/v1/endpoints/${endpoint.id}`, { headers: asSession(session, 'staging'), body: { description: 'changed' } });
    expect(patched.status).toBe(200);
    expect(patched.json.description).toBe('changed');
  });

  it('a session cannot mint API keys or more links', async () => {
    const session = await signIn(a.id);
    for (const [method, path] of [['GET', '/v1/api-keys'], ['POST', '/v1/api-keys'], ['DELETE', '/v1/api-keys/key_x'], ['POST', '/v1/portal-sessions']]) {
      const res = await stack.http(method, path, { headers: asSession(session, 'staging'), body: method === 'POST' ? {} : undefined });
      expect([method, path, res.status, res.json?.error?.code]).toEqual([method, path, 403, 'forbidden']);
    }
    expect((await stack.http('GET', '/v1/api-keys', { token: a.api_keys.test })).status).toBe(200);
  });

  it('a session has the request rate of a key, counted for that session alone', async () => {
    const busy = await signIn(a.id);
    const calm = await signIn(a.id);
    /** Bursts of 200 until one is refused: on a busy machine a burst may spread over a few of the 1-second windows. */
    async function untilLimited(call: () => ReturnType<TestStack['http']>) {
      for (let burst = 0; burst < 5; burst++) {
        const answers = await Promise.all(Array.from({ length: 200 }, call));
        const limited = answers.find((r) => r.status === 429);
        if (limited) return limited;
      }
      return null;
    }
    const limited = await untilLimited(() => stack.http('GET', '/v1/endpoints', { headers: asSession(busy, 'staging') }));
    expect(limited?.json.error.code).toBe('rate_limited');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await stack.http('GET', '/v1/endpoints', { headers: asSession(calm, 'staging') })).status).toBe(200);
    // Reading the session counts in the same bucket.
    expect((await untilLimited(() => stack.http('GET', '/portal/api/session', { headers: { cookie: busy.cookie } })))?.status).toBe(429);
  });

  it('logout needs the CSRF token, clears the cookie and ends the session at once; an expired session is refused', async () => {
    const session = await signIn(a.id);
    expect((await stack.http('POST', '/portal/api/logout', { headers: { cookie: session.cookie } })).json.error.code).toBe('csrf_failed');
    const out = await stack.http('POST', '/portal/api/logout', { headers: asSession(session) });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^ca_portal=; .*Max-Age=0/);
    const after = await stack.http('GET', '/v1/endpoints', { headers: asSession(session, 'staging') });
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('unauthenticated');
    expect((await stack.http('GET', '/portal/api/session', { headers: { cookie: session.cookie } })).status).toBe(401);
    expect((await stack.http('GET', '/portal/api/session')).status).toBe(401);
    expect((await stack.http('GET', '/portal/api/session', { headers: { cookie: `ca_portal=ps_${'x'.repeat(43)}` } })).status).toBe(401);

    const ageing = await signIn(a.id);
    expect((await stack.http('GET', '/v1/endpoints', { headers: asSession(ageing, 'staging') })).status).toBe(200);
    await stack.sql(`UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL`);
    expect((await stack.http('GET', '/v1/endpoints', { headers: asSession(ageing, 'staging') })).status).toBe(401);
    expect((await stack.http('GET', '/portal/api/session', { headers: { cookie: ageing.cookie } })).status).toBe(401);
  });

  it('serves the web app at /portal/ with a strict CSP, assets with a long cache, and the app for its own routes', async () => {
    const bare = await fetch(`${stack.apiUrl}/portal`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/portal/');
    for (const path of ['/portal/', '/portal/endpoints/ep_1', '/portal/messages?type=order.paid']) {
      const res = await fetch(`${stack.apiUrl}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('<title>Portail</title>');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    const asset = await fetch(`${stack.apiUrl}/portal/assets/app-1a2b.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    // Compressed for browsers that say they take it (fetch decodes it back).
    expect(asset.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    expect(await asset.text()).toBe('console.log("portal")');
    const plain = await stack.http('GET', '/portal/assets/app-1a2b.js', { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect((await fetch(`${stack.apiUrl}/portal/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${stack.apiUrl}/portal/api/nothing`)).status).toBe(404);
    for (const escape of ['/portal/..%2f..%2fpackage.json', '/portal/%2e%2e/%2e%2e/package.json', '/portal/assets/..%2f..%2f..%2fpackage.json']) {
      const res = await fetch(`${stack.apiUrl}${escape}`);
      expect(await res.text()).not.toContain('"dependencies"');
    }
  });

  it('/portal/ says how to build the app when it was not built, and the api keeps running', async () => {
    rmSync(join(dist, 'index.html'));
    try {
      const res = await fetch(`${stack.apiUrl}/portal/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/portal not built: run npm run build/i);
      expect((await stack.http('GET', '/health/live')).status).toBe(200);
    } finally {
      writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Portail</title>');
    }
  });

  it('no link token nor session cookie appears in the logs', async () => {
    await signIn(a.id);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('/portal/login');
    expect(tokensSeen.length).toBeGreaterThan(5);
    for (const token of tokensSeen) expect(log).not.toContain(token.slice(3));
    expect(log).not.toMatch(/ps_[A-Za-z0-9_-]{43}/);
    expect(log).not.toMatch(/pl_[A-Za-z0-9_-]{43}/);
  });

  it('GET /v1/event-types lists every event type with the schema of the docs, an example that fits it and the docs\' descriptions', async () => {
    const byKey = await stack.http('GET', '/v1/event-types', { token: a.api_keys.test });
    expect(byKey.status).toBe(200);
    const session = await signIn(a.id);
    const bySession = await stack.http('GET', '/v1/event-types', { headers: asSession(session, 'production') });
    expect(bySession.json).toEqual(byKey.json);
    expect((await stack.http('GET', '/v1/event-types')).status).toBe(401);

    const documented = JSON.parse(readFileSync(join(__dirname, '..', 'docs', 'webhook-events.schema.json'), 'utf8'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const labels = require('../docs-site/scripts/lib/labels.js').LABELS;
    const data = byKey.json.data as { type: keyof typeof PARTNER_EVENT_SCHEMAS; description: string; descriptions: { fr: string; en: string }; schema: unknown; example: { type: string; data: unknown } }[];
    expect(data.map((e) => e.type).sort()).toEqual([...PARTNER_EVENT_TYPES].sort());
    for (const event of data) {
      expect(event.schema).toEqual(documented[event.type]);
      expect(event.descriptions).toEqual({ fr: labels.fr.knownEvents[event.type], en: labels.en.knownEvents[event.type] });
      expect(event.description).toBe(event.descriptions.en);
      // The example is what an endpoint would receive: the envelope, its data as the code's own schema reads it.
      const envelope = z.strictObject({ type: z.literal(event.type), timestamp: z.string(), data: PARTNER_EVENT_SCHEMAS[event.type] });
      const parsed = envelope.safeParse(event.example);
      expect([event.type, parsed.success ? 'fits' : parsed.error.issues]).toEqual([event.type, 'fits']);
    }
  });
});
