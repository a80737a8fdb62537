import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery engine leases endpoints, not deliveries: one worker process owns an endpoint for a few seconds
 * (lease_owner, lease_until, renewed on its heartbeat while it has sends unrecorded) and decides its in-flight cap,
 * circuit probe and rate pacing in memory. A delivery's only write is then its record; leasing each delivery cost a
 * row lock and a non-HOT update of 7 index entries per delivery. lease_in_flight is the holder's count of sends not
 * yet recorded as of its last beat (the endpoint's stats). None of these columns is indexed, so the lease's writes
 * are HOT updates of the endpoint row. deliveries_leased served the per-delivery leases only.
 * Left for a later migration: dropping deliveries.lease_until (no longer written or read by the engine).
 */
export class EndpointLease1763801100000 implements MigrationInterface {
  name = 'EndpointLease1763801100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE endpoints ADD COLUMN lease_owner text, ADD COLUMN lease_until timestamptz, ADD COLUMN lease_in_flight int NOT NULL DEFAULT 0`);
    await q.query(`UPDATE deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL`);
    await q.query(`DROP INDEX IF EXISTS deliveries_leased`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deliveries_leased ON deliveries (endpoint_id, lease_until) WHERE lease_until IS NOT NULL`);
    await q.query(`ALTER TABLE endpoints DROP COLUMN lease_owner, DROP COLUMN lease_until, DROP COLUMN lease_in_flight`);
  }
}
