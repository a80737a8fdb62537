import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox write no longer locks its hot parent rows. A foreign key's check takes FOR KEY SHARE on the row it
 * references, held to commit: every outbox transaction locked its partner's row (messages.partner_id) and each
 * addressed endpoint's row (deliveries.endpoint_id). A partner's messages all reference the same few rows, so under
 * load each row had as many lockers as transactions in flight, which PostgreSQL records as a multixact rebuilt at
 * every new locker (and at every lease beat and health write on the endpoint row): bench:delivery's delay part spent
 * more PostgreSQL time waiting on MultiXactMemberBuffer, BufferContent and LockManager than inserting.
 * What the keys guarded is kept otherwise: partners and endpoints are never deleted (`deleted_at`; the table-owner
 * rule test rejects a DELETE of either), and the outbox statement reads the endpoint ids it writes from `endpoints`
 * and the partner from the caller's scope in the same statement. The other keys of messages and deliveries (order,
 * message) reference rows written in the same transaction, which no other transaction locks.
 * Also dropped: deliveries.lease_until, unused since the engine leases endpoints (migration 1763801100000).
 */
export class OutboxHotParents1763801200000 implements MigrationInterface {
  name = 'OutboxHotParents1763801200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_endpoint_id_fkey`);
    await q.query(`ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_partner_id_fkey`);
    await q.query(`ALTER TABLE deliveries DROP COLUMN IF EXISTS lease_until`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries ADD COLUMN lease_until timestamptz`);
    await q.query(`ALTER TABLE messages ADD CONSTRAINT messages_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES partners(id)`);
    await q.query(`ALTER TABLE deliveries ADD CONSTRAINT deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES endpoints(id)`);
  }
}
