import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What PostgreSQL spends per event the api inserts into the inbox (profiled with `perf` on the backends during
 * bench:ingest, 2026-12-05: ~60 us of PostgreSQL CPU per event):
 * - `payload` json -> text: json_in validated every 3 KB payload again (13% of the backends' CPU), although the
 *   api stores only a body JSON.parse accepted, and the worker parses it itself (the driver did so for json
 *   too). json -> text is binary-coercible: no rewrite. lz4 compression is set again (the change of type resets it).
 * - `id` COLLATE "C": the database's C.UTF-8 is not one PostgreSQL recognises as C, so every comparison in the
 *   primary key (the ON CONFLICT probe and the insert, ~8% of the backends' CPU) went through strcoll. Event ids
 *   are ASCII, and C.UTF-8 orders by code point, which is byte order in UTF-8: the order is the same.
 * - stripe_events_status (status, received_at DESC) took an entry per insert although nothing reads the
 *   `received` rows through it (their reads use stripe_events_pending); the same index without them serves the
 *   retention's delete and the operators' lists of settled events, and no new row enters it.
 */
export class InboxInsertCost1763801000000 implements MigrationInterface {
  name = 'InboxInsertCost1763801000000';

  async up(q: QueryRunner): Promise<void> {
    // A change of type resets the column's compression to the server's default (pglz): lz4 is said again, or
    // pglz takes 40% of the backends' CPU per insert (measured).
    await q.query(`ALTER TABLE stripe_events ALTER COLUMN payload TYPE text, ALTER COLUMN payload SET COMPRESSION lz4, ALTER COLUMN id TYPE text COLLATE "C"`);
    await q.query(`CREATE INDEX stripe_events_settled ON stripe_events (status, received_at DESC) WHERE status <> 'received'`);
    await q.query(`DROP INDEX stripe_events_status`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX stripe_events_status ON stripe_events (status, received_at DESC)`);
    await q.query(`DROP INDEX stripe_events_settled`);
    await q.query(`ALTER TABLE stripe_events ALTER COLUMN payload TYPE json USING payload::json, ALTER COLUMN payload SET COMPRESSION lz4, ALTER COLUMN id TYPE text COLLATE "default"`);
  }
}
