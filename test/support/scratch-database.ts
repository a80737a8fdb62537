import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '@app/database';
import { recordDatabaseScan } from './secret-scan';

export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of its own for one test file, migrated like production, dropped afterwards. */
export async function createScratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ca_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      // The run's secret scan (when on) reads what the test left in every text column, while it is still there.
      await recordDatabaseScan(url.toString(), name);
      const c = new Client({ connectionString: ADMIN_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A scratch database's partner `par_1` and its endpoints `end_1` … `end_<count>` in `environment` (subscribed to
 * every event type, default settings): what the engine's SQL-level tests start from.
 */
export async function seedPartnerEndpoints(db: { query(sql: string): Promise<unknown> }, environment: 'staging' | 'production', count: number): Promise<void> {
  await db.query(
    `INSERT INTO partners (id, name, legal_name, address, siren, email, invoice_prefix) VALUES ('par_1', 'P', 'P SAS', '{}', '123456789', 'p@example.test', 'P')`,
  );
  await db.query(
    `INSERT INTO endpoints (id, partner_id, environment, url, secret_encrypted)
     SELECT 'end_' || i, 'par_1', '${environment}', 'https://example.test/' || i, 'x' FROM generate_series(1, ${count}) i`,
  );
}
