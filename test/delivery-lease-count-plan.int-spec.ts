import { Client } from 'pg';
import { liveLeasesSql } from '../libs/webhooks/src/delivery.repository';
import { createScratchDatabase } from './support/scratch-database';

/** Every index a plan (EXPLAIN FORMAT JSON) reads. */
function indexesOf(node: any, found: string[] = []): string[] {
  if (node['Index Name']) found.push(node['Index Name']);
  for (const child of node.Plans ?? []) indexesOf(child, found);
  return found;
}

/**
 * The claims' count of an endpoint's live leases (liveLeasesSql), on a backlog that arrived after the table's
 * statistics were taken (they say nothing is pending): it reads deliveries_leased, which holds only the deliveries
 * in flight, not deliveries_due over the whole backlog (it did: 0.55 ms per endpoint per claim at 4,000 pending, so
 * claims slowed as the backlog grew), and it counts what it did.
 */
describe('live lease count: result and plan whatever the statistics', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: Client;
  const count = (answered: string[]) =>
    liveLeasesSql(`'end_1'`, 'now()', `ARRAY[${answered.map((id) => `'${id}'`).join(',')}]::text[]`);

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    db = new Client({ connectionString: scratch.url });
    await db.connect();
    await db.query(
      `INSERT INTO partners (id, name, legal_name, address, siren, email, invoice_prefix) VALUES ('par_1', 'P', 'P SAS', '{}', '123456789', 'p@example.test', 'P')`,
    );
    await db.query(
      `INSERT INTO endpoints (id, partner_id, environment, url, secret_encrypted)
       SELECT 'end_' || i, 'par_1', 'staging', 'https://example.test/' || i, 'x' FROM generate_series(1, 4) i`,
    );
    const deliveries = (from: number, to: number, status: string, lease: string) =>
      db.query(
        `INSERT INTO messages (id, partner_id, environment, type, body) SELECT 'msg_' || i, 'par_1', 'staging', 'order.paid', '{}' FROM generate_series(${from}, ${to}) i;
         INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, status, attempt_count, next_attempt_at, lease_until)
         SELECT 'dlv_' || i, 'msg_' || i, 'end_' || (1 + i % 4), 'par_1', '${status}', 0, now() - interval '1 second', ${lease}
         FROM generate_series(${from}, ${to}) i ORDER BY i`,
      );
    // Statistics taken while nothing is pending.
    await deliveries(1, 8, 'delivered', 'NULL');
    await db.query(`ANALYZE deliveries`);
    // Then a backlog of 4,000, of which end_1's dlv_100..dlv_136 (every 4th) are leased, and dlv_104 lapsed.
    await deliveries(100, 4099, 'pending', `CASE WHEN i < 140 THEN now() + interval '6 seconds' END`);
    await db.query(`UPDATE deliveries SET lease_until = now() - interval '1 second' WHERE id = 'dlv_104'`);
  });

  afterAll(async () => {
    await db?.end();
    await scratch?.drop();
  });

  async function planIndexes(): Promise<string[]> {
    const [{ 'QUERY PLAN': [plan] }] = (await db.query(`EXPLAIN (FORMAT JSON) ${count([])}`)).rows;
    return indexesOf(plan.Plan);
  }

  it('reads deliveries_leased alone, with statistics from an empty table and after ANALYZE', async () => {
    expect(await planIndexes()).toEqual(['deliveries_leased']);
    await db.query(`ANALYZE deliveries`);
    expect(await planIndexes()).toEqual(['deliveries_leased']);
  });

  it('counts the pending deliveries under a live lease, and those answered here among them', async () => {
    // end_1 holds i % 4 = 0: dlv_100, 104, ..., 136 leased (10), dlv_104's lease lapsed.
    const [r] = (await db.query(count(['dlv_100', 'dlv_104', 'dlv_101', 'dlv_200']))).rows;
    expect(r).toEqual({ in_flight: 9, answered_here: 1 });
    // A delivery no longer pending is not in flight, whatever its lease says.
    await db.query(`UPDATE deliveries SET status = 'delivered' WHERE id = 'dlv_108'`);
    const [after] = (await db.query(count(['dlv_100', 'dlv_108']))).rows;
    expect(after).toEqual({ in_flight: 8, answered_here: 1 });
  });
});
