import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ordering rule's index (NOT_HELD_BACK_BY_ITS_ORDER_SQL in libs/webhooks/src/delivery.repository.ts), with a
 * predicate that no other index of `deliveries` shares. The rule used to say `status = 'pending'`, which also
 * matched deliveries_due (next_attempt_at WHERE status = 'pending'): with statistics taken while nothing was
 * pending (a fresh table, a sale's sudden backlog, autovacuum behind), PostgreSQL priced a walk of that whole
 * index per candidate below one probe of deliveries_endpoint_order, and a claim over 500 pending deliveries of an
 * endpoint took 522 ms instead of 1.4 ms (2026-12-04). The rule now says `status <> 'delivered' AND status <>
 * 'failed'` (the same rows: the status check allows three values), which implies this index's predicate and no
 * other partial index's, so its one plan is this index's key-ordered probe whatever the statistics. It replaces
 * deliveries_endpoint_order (same keys, same rows), which the rule was its only reader of.
 */
export class OrderWaitingIndex1763800900000 implements MigrationInterface {
  name = 'OrderWaitingIndex1763800900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX deliveries_order_waiting ON deliveries (endpoint_id, order_id, seq)
       WHERE status <> 'delivered' AND status <> 'failed' AND order_id IS NOT NULL`,
    );
    await q.query(`DROP INDEX deliveries_endpoint_order`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deliveries_endpoint_order ON deliveries (endpoint_id, order_id, seq) WHERE status = 'pending' AND order_id IS NOT NULL`);
    await q.query(`DROP INDEX deliveries_order_waiting`);
  }
}
