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

/**
 * A scratch database (createScratchDatabase) with a client connected to it and `par_1`'s `endpoints` staging endpoints
 * (seedPartnerEndpoints): the engine's plan specs' start. `close` ends the client and drops the database.
 */
export async function connectedScratch(endpoints: number): Promise<{ db: Client; close: () => Promise<void> }> {
  const scratch = await createScratchDatabase();
  const db = new Client({ connectionString: scratch.url });
  await db.connect();
  await seedPartnerEndpoints(db, 'staging', endpoints);
  return {
    db,
    close: async () => {
      await db.end();
      await scratch.drop();
    },
  };
}

/**
 * A backlog in a scratch database seeded by seedPartnerEndpoints: `count` messages of `par_1` and one pending delivery
 * each (`dlv_0001` …, every one of its own order, to end_2 and end_1 in turn), next due at `nextAttemptAt` and created
 * at `createdAt` (SQL over `i`, the row's number), then the tables analyzed as production's have statistics.
 */
export async function seedPendingBacklog(db: { query(sql: string): Promise<unknown> }, count: number, nextAttemptAt: string, createdAt = 'now()'): Promise<void> {
  await db.query(
    `INSERT INTO messages (id, partner_id, environment, type, body) SELECT 'msg_' || i, 'par_1', 'staging', 'order.paid', '{}' FROM generate_series(1, ${count}) i;
     INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, order_id, status, attempt_count, next_attempt_at, created_at)
     SELECT 'dlv_' || lpad(i::text, 4, '0'), 'msg_' || i, 'end_' || (1 + i % 2), 'par_1', 'ord_' || i, 'pending', 0, ${nextAttemptAt}, ${createdAt}
     FROM generate_series(1, ${count}) i ORDER BY i;
     ANALYZE deliveries; ANALYZE endpoints; ANALYZE messages`,
  );
}
