import { Client } from 'pg';
import { createScratchDatabase } from './support/scratch-database';
import { scanDatabase, secretsIn } from './support/secret-scan';

/** The end-of-run secret scan itself: it must see what it is meant to see, and only that. */
describe('secret scan', () => {
  it('finds each kind of secret in a log line and never repeats it whole', () => {
    const line = JSON.stringify({
      msg: 'x',
      a: 'ca_test_CyntqPPf_7__96-Am5-EAh8FhOWBGWQV',
      b: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      c: 'sk_live_emulator',
      d: 'rk_test_51Hx',
      e: 'test-admin-token-0123456789',
    });
    const found = secretsIn(line, 'log');
    expect(found.map((f) => f.kind)).toEqual(['api key', 'whsec secret', 'Stripe key', 'Stripe key', 'admin token']);
    // Half the secret at most, so the report is not a leak of its own.
    for (const f of found) expect(f.excerpt.replace(/… \(\d+ chars\)$/, '').length).toBeLessThanOrEqual(12);
    expect(found[0].excerpt).toBe('ca_test_Cynt… (40 chars)');
  });

  it('allows a key display prefix only in api_keys.prefix, and scratch database names', () => {
    expect(secretsIn('ca_test_Cynt', 'api_keys.prefix')).toEqual([]);
    expect(secretsIn('ca_test_Cynt', 'partners.notes')).toHaveLength(1);
    expect(secretsIn('ca_test_CyntqPPf_7__96-Am5-EAh8FhOWBGWQV', 'api_keys.prefix')).toHaveLength(1);
    expect(secretsIn('database "ca_test_0123456789ab" does not exist', 'log')).toEqual([]);
    expect(secretsIn('must be sk_test_… or whsec_…', 'log')).toEqual([]);
  });

  it('finds a portal token standing alone, not three letters of ciphertext that happen to spell its prefix', () => {
    const body = 'Q'.repeat(43);
    expect(secretsIn(`Cookie: comptappart_portal=ps_${body}; Path=/`, 'log')).toHaveLength(1);
    expect(secretsIn(`{"link":"https://x.test/portal?token=pl_${body}"}`, 'idempotency_keys.response_sealed')).toHaveLength(1);
    // A sealed value (v1.<iv>.<tag>.<ciphertext>, base64url) where the prefix falls inside the ciphertext.
    expect(secretsIn(`v1.AAAA.BBBB.x7Kps_${body}Zq9`, 'idempotency_keys.response_sealed')).toEqual([]);
  });

  it('reads every text-like column of every table: text, varchar, json, jsonb, bytea, text[]', async () => {
    const db = await createScratchDatabase();
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(`CREATE TABLE leak_probe (id int, t text, v varchar(200), j json, jb jsonb, b bytea, a text[], n int)`);
      await client.query(
        `INSERT INTO leak_probe VALUES (1, 'nothing here', 'ca_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '{"k":"whsec_abcdefgh"}', '{"deep":{"s":"sk_test_emulator"}}', convert_to('token test-admin-token-0123456789', 'UTF8'), ARRAY['a','rk_live_zzzz'], 7),
                (2, 'clean', 'clean', '{}', '{}', '\\x00', ARRAY['b'], 8)`,
      );
      const scan = await scanDatabase(client, 'probe');
      expect(scan.findings.filter((f) => f.where.includes('leak_probe')).map((f) => [f.where.replace(/ \(row .*\)$/, ''), f.kind])).toEqual([
        ['probe: leak_probe.v', 'api key'],
        ['probe: leak_probe.j', 'whsec secret'],
        ['probe: leak_probe.jb', 'Stripe key'],
        ['probe: leak_probe.b', 'admin token'],
        ['probe: leak_probe.a', 'Stripe key'],
      ]);
      expect(scan.columns).toBeGreaterThan(6);
      expect(scan.rows).toBeGreaterThanOrEqual(2);
    } finally {
      // The probe's secrets must not reach the run's own scan when the database is dropped.
      await client.query('DROP TABLE IF EXISTS leak_probe');
      await client.end();
      await db.drop();
    }
  });
});
