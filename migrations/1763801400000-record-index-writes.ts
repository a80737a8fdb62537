import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer index entries per recorded attempt. Recording a delivery updates its row with a new status and next
 * attempt (both indexed, so never a HOT update): every index whose predicate the new version meets gets an entry.
 * - deliveries_endpoint_status (endpoint_id, status) took one for every delivered attempt and every new delivery,
 *   and no hot read used it: the engine's reads go by deliveries_endpoint_waiting and deliveries_order_waiting. Its
 *   other readers (an endpoint's health, its disabled notice, the recovery of a time range, an endpoint enabled
 *   again) count or list its pending deliveries, which deliveries_endpoint_waiting holds, and its failed ones, now
 *   in deliveries_endpoint_failed: a delivered or pending version never enters it.
 * - attempts_delivery (delivery_id, attempted_at) had no reader, while the readers by message (the API's attempt log
 *   of a message, retention's delete of a settled message's attempts) scanned the whole table: attempts_message
 *   (message_id, attempted_at) takes its place, one index entry per attempt as before.
 * The record of a 2xx attempt now writes 5 index entries instead of 6 (attempts_pkey, attempts_endpoint,
 * attempts_message; deliveries_pkey, the (message_id, endpoint_id) key), and a new delivery one fewer.
 */
export class RecordIndexWrites1763801400000 implements MigrationInterface {
  name = 'RecordIndexWrites1763801400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deliveries_endpoint_failed ON deliveries (endpoint_id) WHERE status = 'failed'`);
    await q.query(`DROP INDEX deliveries_endpoint_status`);
    await q.query(`CREATE INDEX attempts_message ON attempts (message_id, attempted_at)`);
    await q.query(`DROP INDEX attempts_delivery`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX attempts_delivery ON attempts (delivery_id, attempted_at)`);
    await q.query(`DROP INDEX attempts_message`);
    await q.query(`CREATE INDEX deliveries_endpoint_status ON deliveries (endpoint_id, status)`);
    await q.query(`DROP INDEX deliveries_endpoint_failed`);
  }
}
