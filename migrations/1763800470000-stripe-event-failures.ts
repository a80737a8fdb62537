import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stripe events that cannot be processed stop looping unseen: each failed attempt is counted with its
 * (sanitised) error, the last one marks the event `failed` for an operator to retry. A refund that arrives
 * before its invoice exists is parked as `waiting` until the invoice is issued, instead of being ignored.
 */
export class StripeEventFailures1763800470000 implements MigrationInterface {
  name = 'StripeEventFailures1763800470000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE stripe_events DROP CONSTRAINT stripe_events_status_check`);
    await q.query(`
      ALTER TABLE stripe_events
        ADD CONSTRAINT stripe_events_status_check CHECK (status IN ('received', 'processed', 'unrouted', 'ignored', 'waiting', 'failed')),
        ADD COLUMN attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN last_error text,
        ADD COLUMN failed_at timestamptz`);
    // Both sets stay small (an operator empties one, invoices empty the other); the sweeper reads them often.
    await q.query(`CREATE INDEX stripe_events_parked ON stripe_events (status, received_at) WHERE status IN ('waiting', 'failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX stripe_events_parked`);
    await q.query(`UPDATE stripe_events SET status = 'received' WHERE status IN ('waiting', 'failed')`);
    await q.query(`ALTER TABLE stripe_events DROP CONSTRAINT stripe_events_status_check`);
    await q.query(`
      ALTER TABLE stripe_events
        ADD CONSTRAINT stripe_events_status_check CHECK (status IN ('received', 'processed', 'unrouted', 'ignored')),
        DROP COLUMN attempts,
        DROP COLUMN last_error,
        DROP COLUMN failed_at`);
  }
}
