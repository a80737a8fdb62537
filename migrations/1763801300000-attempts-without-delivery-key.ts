import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * attempts.delivery_id no longer has a foreign key. The engine records its attempts in batches (group commit), and
 * the key's check ran once per attempt after the statement: a query that looks the delivery up and takes FOR KEY
 * SHARE on the version the same statement had just written, one more row lock and WAL record per attempt. Measured
 * on 10,000 recorded 2xx in batches of 70: ~28 µs of PostgreSQL CPU and ~1,090 bytes of WAL per attempt with it,
 * ~24 µs and ~930 bytes without (the record is the hot path's only per-delivery write).
 * What the key guarded is kept otherwise: an attempt is only ever written by AttemptRecordRepository, for a delivery
 * its worker claimed (or the ping's, written in the same transaction), and retention deletes a message's attempts
 * before its deliveries, only for messages whose deliveries are all settled and older than the cutoff (days), which
 * no send in flight can be for. attempts.message_id and attempts.endpoint_id never had a key.
 */
export class AttemptsWithoutDeliveryKey1763801300000 implements MigrationInterface {
  name = 'AttemptsWithoutDeliveryKey1763801300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attempts DROP CONSTRAINT IF EXISTS attempts_delivery_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attempts ADD CONSTRAINT attempts_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES deliveries(id)`);
  }
}
