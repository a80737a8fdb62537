import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine's hot reads get indexes whose predicates no other index of `deliveries` shares, so that each read
 * has one sensible plan whatever the statistics (see waitingSql in libs/webhooks/src/delivery.repository.ts):
 * - deliveries_order_waiting, for the ordering rule (an earlier message of the order still waiting?): implied by
 *   the rule's `order_id =`, not by the due pick;
 * - deliveries_endpoint_waiting, for the due pick, the wake check and the waiting-endpoint poll (an endpoint's due
 *   deliveries, oldest first): implied by their `next_attempt_at <=`, not by the ordering rule.
 * Both replace an index of the same keys that said `status = 'pending'`, like deliveries_due (next_attempt_at WHERE
 * status = 'pending'): with statistics taken while nothing was pending (a fresh table, a sale's sudden backlog,
 * autovacuum behind), PostgreSQL priced a walk of all of deliveries_due below one probe of the right index, per
 * candidate: a claim of 8 endpoints over 4,000 pending deliveries took ~4 s; 16 ms now (10 ms after ANALYZE).
 */
export class WaitingIndexes1763800900000 implements MigrationInterface {
  name = 'WaitingIndexes1763800900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX deliveries_order_waiting ON deliveries (endpoint_id, order_id, seq)
       WHERE status <> 'delivered' AND status <> 'failed' AND order_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX deliveries_endpoint_waiting ON deliveries (endpoint_id, next_attempt_at, seq)
       WHERE status <> 'delivered' AND status <> 'failed' AND next_attempt_at IS NOT NULL`,
    );
    await q.query(`DROP INDEX deliveries_endpoint_order, deliveries_endpoint_due`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deliveries_endpoint_due ON deliveries (endpoint_id, next_attempt_at, seq) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX deliveries_endpoint_order ON deliveries (endpoint_id, order_id, seq) WHERE status = 'pending' AND order_id IS NOT NULL`);
    await q.query(`DROP INDEX deliveries_order_waiting, deliveries_endpoint_waiting`);
  }
}
