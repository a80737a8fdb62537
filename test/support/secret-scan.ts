import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

/**
 * The end-of-run scan for secrets (issue 12): every log line the api and the
 * worker wrote and every text column of every scratch database. What counts
 * as a secret, what is allowed and why, in one place.
 *
 * This file is loaded by Jest's globalSetup/globalTeardown as well as by the
 * tests, so it imports no path alias.
 */

/** Each run has its own folder here (run-<pid>), so runs started side by side do not mix. */
export const SECRET_SCAN_ROOT = resolve(__dirname, '..', '..', 'test-artifacts', 'secret-scan');

/** Set by the global setup to this run's folder: the scan is on for this run. */
export const SCAN_ENV = 'SECRET_SCAN_DIR';

/** This run's files, under the folder the global setup chose. */
export function scanFiles(dir: string) {
  return { logDir: join(dir, 'logs'), databases: join(dir, 'databases.jsonl'), report: join(dir, 'report.json') };
}

const KINDS: { kind: string; pattern: string }[] = [
  // Partner API keys: the prefix, then the random body (32 base64url characters when whole).
  { kind: 'api key', pattern: 'ca_(test|live)_[A-Za-z0-9_-]{4,}' },
  // Webhook signing secrets, ours (endpoints) and Stripe's (ingest).
  { kind: 'whsec secret', pattern: 'whsec_[A-Za-z0-9+/=_-]{4,}' },
  // Stripe secret and restricted keys, the emulator's sk_test_emulator included.
  { kind: 'Stripe key', pattern: '(sk|rk)_(test|live)_[A-Za-z0-9_]{4,}' },
  // Partner portal sign-in link tokens and session cookies (apps/api/src/portal/portal-secrets.util.ts); only hashes are stored.
  { kind: 'portal link token', pattern: 'pl_[A-Za-z0-9_-]{43}' },
  { kind: 'portal session', pattern: 'ps_[A-Za-z0-9_-]{43}' },
  // The operator tokens the tests use (test-stack.ts, scripts/demo.ts): "<word>-admin-token-<chars>".
  { kind: 'admin token', pattern: '[a-z]+-admin-token-[A-Za-z0-9_-]{6,}' },
];

/** The same expression for PostgreSQL (POSIX ARE) and JavaScript. */
export const SECRET_PATTERN = KINDS.map((k) => `(${k.pattern})`).join('|');

export interface Finding {
  kind: string;
  /** `table.column` (row ctid) or `file:line`. */
  where: string;
  /** The start of the secret, never all of it: the report must not be a leak of its own. */
  excerpt: string;
}

/**
 * Matches that are not secrets, each with its reason. Anything else found is a leak.
 * `place` is `table.column` for a database cell, `log` for a log line.
 */
const ALLOWED: { why: string; test: (token: string, place: string) => boolean }[] = [
  {
    // api_keys.prefix keeps the first 12 characters to tell keys apart in a listing (displayPrefix):
    // 4 characters of a 32-character random body, not enough to use the key.
    why: 'the display prefix of an API key',
    test: (token, place) => place === 'api_keys.prefix' && /^ca_(test|live)_[A-Za-z0-9_-]{4}$/.test(token),
  },
  {
    // Scratch databases are named ca_test_<12 hex> (scratch-database.ts); a log line may name one.
    // A key body is 32 base64url characters, so a 12-hex token is never a whole key.
    why: 'the name of a scratch database',
    test: (token) => /^ca_test_[0-9a-f]{12}$/.test(token),
  },
];

function kindOf(token: string): string {
  return KINDS.find((k) => new RegExp(`^(${k.pattern})$`).test(token))?.kind ?? 'secret';
}

/**
 * A portal token's prefix is three characters, so base64url ciphertext (a sealed idempotent response, an endpoint's
 * sealed secret) spells `ps_` + 43 characters now and then: about once per 130,000 positions. A real token stands
 * alone, exactly 43 characters after its prefix; a match inside a longer run of base64url characters is ciphertext.
 */
function insideLongerRun(text: string, index: number, token: string): boolean {
  if (!/^p[ls]_/.test(token)) return false;
  const base64url = /[A-Za-z0-9_-]/;
  return (index > 0 && base64url.test(text[index - 1])) || base64url.test(text[index + token.length] ?? '');
}

/** The secrets in one text, after the allowed matches are set aside. */
export function secretsIn(text: string, place: string): { kind: string; excerpt: string }[] {
  const found: { kind: string; excerpt: string }[] = [];
  for (const m of text.matchAll(new RegExp(SECRET_PATTERN, 'g'))) {
    const token = m[0];
    if (ALLOWED.some((a) => a.test(token, place))) continue;
    if (insideLongerRun(text, m.index, token)) continue;
    found.push({ kind: kindOf(token), excerpt: `${token.slice(0, Math.min(12, Math.ceil(token.length / 2)))}… (${token.length} chars)` });
  }
  return found;
}

export interface DatabaseScan {
  database: string;
  tables: number;
  columns: number;
  rows: number;
  /** Column values read: rows × text columns, per table. */
  cells: number;
  findings: Finding[];
  error?: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Every text-like column (text, varchar, char, json, jsonb, bytea, arrays of them) of every table in `public`. */
export async function scanDatabase(client: Client, database: string): Promise<DatabaseScan> {
  const scan: DatabaseScan = { database, tables: 0, columns: 0, rows: 0, cells: 0, findings: [] };
  const { rows: columns } = await client.query<{ table_name: string; column_name: string; data_type: string; udt_name: string }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.udt_name
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = 'public'
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')
             OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar', '_bpchar', '_json', '_jsonb')))
      ORDER BY c.table_name, c.ordinal_position`,
  );
  const byTable = new Map<string, { name: string; expr: string }[]>();
  for (const c of columns) {
    // bytea as text: its bytes read as escaped text, so ASCII secrets inside stay visible.
    const expr = c.data_type === 'bytea' ? `encode(${quote(c.column_name)}, 'escape')` : `${quote(c.column_name)}::text`;
    byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), { name: c.column_name, expr }]);
  }
  for (const [table, cols] of byTable) {
    scan.tables++;
    scan.columns += cols.length;
    const count = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(table)}`)).rows[0].n);
    scan.rows += count;
    scan.cells += count * cols.length;
    if (count === 0) continue;
    const select = cols.map((c, i) => `${c.expr} AS c${i}`).join(', ');
    const where = cols.map((c) => `${c.expr} ~ $1`).join(' OR ');
    const { rows } = await client.query(`SELECT ctid::text AS row, ${select} FROM ${quote(table)} WHERE ${where}`, [SECRET_PATTERN]);
    for (const row of rows) {
      cols.forEach((c, i) => {
        const value = row[`c${i}`] as string | null;
        if (!value) return;
        const place = `${table}.${c.name}`;
        for (const s of secretsIn(value, place)) scan.findings.push({ ...s, where: `${database}: ${place} (row ${row.row})` });
      });
    }
  }
  return scan;
}

/** Called before a scratch database is dropped, when the run's scan is on: its findings go to the run's databases.jsonl. */
export async function recordDatabaseScan(url: string, database: string): Promise<void> {
  if (!process.env[SCAN_ENV]) return;
  let scan: DatabaseScan;
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    scan = await scanDatabase(client, database);
  } catch (err) {
    // Recorded, so the teardown fails the run: a database that could not be read was not proven clean.
    scan = { database, tables: 0, columns: 0, rows: 0, cells: 0, findings: [], error: (err as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
  const dir = process.env[SCAN_ENV]!;
  mkdirSync(dir, { recursive: true });
  appendFileSync(scanFiles(dir).databases, `${JSON.stringify(scan)}\n`);
}
