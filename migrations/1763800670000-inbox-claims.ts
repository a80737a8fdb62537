import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The worker claims committed Stripe events from PostgreSQL in batches instead of receiving one queue job per
 * event: `claimed_until` is the claim's lease (a killed worker's events are taken again once it lapses), and
 * the partial index serves the claim in the inbox's order (received_at, then id).
 */
export class InboxClaims1763800670000 implements MigrationInterface {
  name = 'InboxClaims1763800670000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE stripe_events ADD COLUMN claimed_until timestamptz`);
    await q.query(`DROP INDEX IF EXISTS stripe_events_pending`);
    await q.query(`CREATE INDEX stripe_events_pending ON stripe_events (received_at, id) WHERE status = 'received'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS stripe_events_pending`);
    await q.query(`CREATE INDEX stripe_events_pending ON stripe_events (received_at) WHERE status = 'received'`);
    await q.query(`ALTER TABLE stripe_events DROP COLUMN claimed_until`);
  }
}
