import { Client } from 'pg';
import { dueDeliveriesSql } from '../libs/webhooks/src/delivery.repository';
import { connectedScratch } from './support/scratch-database';

/** Every index a plan (EXPLAIN FORMAT JSON) reads, with whether it is read inside a SubPlan (the ordering rule). */
function indexesOf(node: any, inSubPlan = false, found: { index: string; subPlan: boolean }[] = []) {
  const sub = inSubPlan || typeof node['Subplan Name'] === 'string';
  if (node['Index Name']) found.push({ index: node['Index Name'], subPlan: sub });
  for (const child of node.Plans ?? []) indexesOf(child, sub, found);
  return found;
}

/**
 * The ordering rule (NOT_HELD_BACK_BY_ITS_ORDER_SQL) as the claims run it, on a backlog that arrived after the
 * table's statistics were taken (they say nothing is pending: a fresh table, a sale's sudden backlog): a later
 * message of an order waits while an earlier one is pending, and the plans are walks of the right indexes in key
 * order: the due pick's of deliveries_endpoint_waiting (stopping after its limit), the rule's a probe of
 * deliveries_order_waiting, not a walk of every pending delivery per candidate (it was: 522 ms per endpoint).
 */
describe('ordering rule: result and plan whatever the statistics', () => {
  let db: Client;
  let close: (() => Promise<void>) | undefined;
  const due = (endpoint: string) => dueDeliveriesSql(`'${endpoint}'`, 'now()', '1000');

  beforeAll(async () => {
    ({ db, close } = await connectedScratch(4));
    const deliveries = (from: number, to: number, status: string, order: string) =>
      db.query(
        `INSERT INTO messages (id, partner_id, environment, type, body) SELECT 'msg_' || i, 'par_1', 'staging', 'order.paid', '{}' FROM generate_series(${from}, ${to}) i;
         INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, order_id, status, attempt_count, next_attempt_at)
         SELECT 'dlv_' || i, 'msg_' || i, 'end_' || (1 + i % 4), 'par_1', ${order}, '${status}', 0, now() - interval '1 second' FROM generate_series(${from}, ${to}) i ORDER BY i`,
      );
    // Statistics taken while nothing is pending.
    await deliveries(1, 8, 'delivered', `'ord_' || i`);
    await db.query(`ANALYZE deliveries`);
    // Then a backlog: 3 messages of order ord_x at end_1 (i = 4, 8, 12 after the rest), 1,200 of orders of their own, some with none.
    await deliveries(100, 1299, 'pending', `CASE WHEN i % 10 = 0 THEN NULL ELSE 'ord_' || i END`);
    await deliveries(2000, 2000, 'pending', `'ord_x'`);
    await deliveries(2004, 2004, 'pending', `'ord_x'`);
    await deliveries(2008, 2008, 'pending', `'ord_x'`);
  });

  afterAll(async () => {
    await close?.();
  });

  async function planIndexes(): Promise<{ index: string; subPlan: boolean }[]> {
    const [{ 'QUERY PLAN': [plan] }] = (await db.query(`EXPLAIN (FORMAT JSON) ${dueDeliveriesSql(`'end_1'`, 'now()', '10')}`)).rows;
    return indexesOf(plan.Plan);
  }
  const walks = [
    { index: 'deliveries_endpoint_waiting', subPlan: false },
    { index: 'deliveries_order_waiting', subPlan: true },
  ];

  it('walks deliveries_endpoint_waiting and probes deliveries_order_waiting with statistics from an empty table, and after ANALYZE', async () => {
    expect(await planIndexes()).toEqual(walks);
    await db.query(`ANALYZE deliveries`);
    expect(await planIndexes()).toEqual(walks);
  });

  it('holds a later message of an order back while an earlier one is pending at the endpoint', async () => {
    const ids = async () => (await db.query(due('end_1'))).rows.map((r) => r.id as string);
    let taken = await ids();
    expect(taken).toContain('dlv_2000');
    expect(taken).not.toContain('dlv_2004');
    expect(taken).not.toContain('dlv_2008');
    // Its own orders (and none) are not held back: every other pending delivery of end_1 is due.
    expect(taken).toHaveLength(1 + 1200 / 4);

    await db.query(`UPDATE deliveries SET status = 'delivered' WHERE id = 'dlv_2000'`);
    taken = await ids();
    expect(taken).toContain('dlv_2004');
    expect(taken).not.toContain('dlv_2008');

    // A failed one no longer holds its order back (as before: only a pending one does).
    await db.query(`UPDATE deliveries SET status = 'failed' WHERE id = 'dlv_2004'`);
    expect(await ids()).toContain('dlv_2008');
  });
});
