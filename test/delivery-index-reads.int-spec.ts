import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { asTx, dataSourceOptions, scopeForOperator } from '@app/database';
import { CLAIM_PICK } from '../libs/webhooks/src/delivery-claim.repository';
import { DUE_UNLEASED_ENDPOINTS_SQL, ENDPOINTS_WAITING, WaitingEndpointsRepository } from '../libs/webhooks/src/waiting-endpoints.repository';
import { DeliveryRepository } from '../libs/webhooks/src/delivery.repository';
import { EndpointRepository } from '../libs/webhooks/src/endpoint.repository';
import { MessageRepository } from '../libs/webhooks/src/message.repository';
import { createScratchDatabase, seedPartnerEndpoints } from './support/scratch-database';
import { indexesOf } from './support/query-plans';

/** The rows the plan's deliveries scans read (EXPLAIN ANALYZE: kept and filtered out), over their loops. */
function deliveriesRowsRead(node: any): number {
  const read = (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0);
  const own = node['Relation Name'] === 'deliveries' ? read * (node['Actual Loops'] ?? 1) : 0;
  return own + (node.Plans ?? []).map(deliveriesRowsRead).reduce((a: number, b: number) => a + b, 0);
}

/**
 * Deliveries have no index of an endpoint's every delivery any more (migration 1763801400000): what reads an
 * endpoint's deliveries reads its waiting ones (deliveries_endpoint_waiting) or its failed ones
 * (deliveries_endpoint_failed), and must still count and list the same deliveries, however many were delivered.
 */
describe('deliveries by endpoint: read by the waiting and failed indexes', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;
  let client: Client;
  const scope = scopeForOperator({ id: 'par_1' }, 'staging');

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    db = new DataSource(dataSourceOptions(scratch.url, 2));
    await db.initialize();
    await seedPartnerEndpoints(db, 'staging', 2);
    // end_1: 2,000 delivered, 5 failed, 20 due, 3 retrying later, 1 ping's (no next attempt); end_2: 1,000 delivered, 10 due.
    await db.query(
      `INSERT INTO messages (id, partner_id, environment, type, body) SELECT 'msg_' || i, 'par_1', 'staging', 'order.paid', '{}' FROM generate_series(1, 3039) i;
       INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, order_id, status, attempt_count, next_attempt_at)
       SELECT 'dlv_' || lpad(i::text, 4, '0'), 'msg_' || i, CASE WHEN i <= 2029 THEN 'end_1' ELSE 'end_2' END, 'par_1', 'ord_' || i,
              CASE WHEN i <= 2000 OR i > 2029 AND i <= 3029 THEN 'delivered' WHEN i <= 2005 THEN 'failed' ELSE 'pending' END,
              CASE WHEN i <= 2005 OR i > 2029 AND i <= 3029 THEN 1 ELSE 0 END,
              CASE WHEN i <= 2005 OR i > 2029 AND i <= 3029 THEN NULL WHEN i <= 2025 OR i > 3029 THEN now() - interval '1 minute'
                   WHEN i <= 2028 THEN now() + interval '1 hour' END
       FROM generate_series(1, 3039) i ORDER BY i;
       INSERT INTO attempts (id, delivery_id, message_id, endpoint_id, attempted_at, status_code, duration_ms)
       SELECT 'att_' || i || '_' || n, 'dlv_' || lpad(i::text, 4, '0'), 'msg_' || i, 'end_1', now() - (n || ' minutes')::interval, 500, 3
       FROM generate_series(1, 3039) i, generate_series(1, 2) n;
       ANALYZE deliveries; ANALYZE endpoints; ANALYZE messages; ANALYZE attempts`,
    );
    client = new Client({ connectionString: scratch.url });
    await client.connect();
  });

  /**
   * `check`, in a transaction rolled back after it, with 2,000 more pending deliveries at end_2 (named after `tag`), at
   * `attempts` attempts made and next due at `nextAt` (SQL), and `more` (SQL) run before the table is analyzed.
   */
  async function withBacklogAtEnd2(tag: string, attempts: number, nextAt: string, more: string, check: () => Promise<void>): Promise<void> {
    await client.query('BEGIN');
    try {
      await client.query(
        `INSERT INTO messages (id, partner_id, environment, type, body) SELECT 'msg_${tag}' || i, 'par_1', 'staging', 'order.paid', '{}' FROM generate_series(1, 2000) i;
         INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, status, attempt_count, next_attempt_at)
         SELECT 'dlv_${tag}' || i, 'msg_${tag}' || i, 'end_2', 'par_1', 'pending', ${attempts}, ${nextAt} FROM generate_series(1, 2000) i;
         ${more}
         ANALYZE deliveries`,
      );
      await check();
    } finally {
      await client.query('ROLLBACK');
    }
  }

  afterAll(async () => {
    await client?.end();
    await db?.destroy();
    await scratch?.drop();
  });

  it('the waiting poll, as the generic plan of its named statement, walks deliveries_endpoint_waiting and skips the endpoints named', async () => {
    await client.query('SET plan_cache_mode = force_generic_plan');
    await client.query(`PREPARE poll AS ${ENDPOINTS_WAITING.text}`);
    const { rows: plans } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE poll(0, 200, 'wkr_t', '{}')`);
    const plan = plans[0]['QUERY PLAN'][0].Plan;
    expect(indexesOf(plan)).toContain('deliveries_endpoint_waiting');
    // One due delivery per endpoint (and its ordering probe), not the 3,000 delivered ones.
    expect(deliveriesRowsRead(plan)).toBeLessThan(20);

    const waiting = new WaitingEndpointsRepository(db);
    expect((await waiting.endpointsWaiting('wkr_t', 0)).sort()).toEqual(['end_1', 'end_2']);
    expect(await waiting.endpointsWaiting('wkr_t', 0, ['end_1'])).toEqual(['end_2']);
  });

  it("the claim's next wake-up reads the endpoint's own waiting deliveries, not every endpoint's later retries", async () => {
    // Another endpoint failing: 2,000 retries due before end_1's first (they were read, filtered down to end_1's, by every claim).
    await withBacklogAtEnd2('r', 3, `now() + interval '30 minutes'`, `UPDATE endpoints SET lease_owner = 'wkr_t', lease_until = now() + interval '1 hour';`, async () => {
      await client.query(`PREPARE pick AS ${CLAIM_PICK.text}`);
      const { rows: plans } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE pick('{end_1}', '{0}', '{0}', '{0}', 'wkr_t', 5, '')`);
      expect(deliveriesRowsRead(plans[0]['QUERY PLAN'][0].Plan)).toBeLessThan(50);
      const { rows } = await client.query(`EXECUTE pick('{end_1}', '{0}', '{0}', '{0}', 'wkr_t', 5, '')`);
      expect(rows.filter((r) => r.delivery_id !== null)).toHaveLength(5);
      // end_1's own first retry (dlv_2026's, in an hour), not nothing and not another endpoint's.
      expect(rows[0].next_due).toBeInstanceOf(Date);
    });
  });

  it("the sweeper probes each endpoint without a live lease once, not every pending delivery due", async () => {
    // A backlog: 2,000 more deliveries due at end_2 (the sweeper walked them all, every sweep).
    await withBacklogAtEnd2('s', 0, `now() - interval '1 minute'`, '', async () => {
      const cutoff = new Date(Date.now() - 1000);
      const { rows: plans } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${DUE_UNLEASED_ENDPOINTS_SQL}`, [cutoff, 1000]);
      const plan = plans[0]['QUERY PLAN'][0].Plan;
      expect(indexesOf(plan)).toContain('deliveries_endpoint_waiting');
      expect(deliveriesRowsRead(plan)).toBeLessThan(10);
      const due = async () => (await client.query(DUE_UNLEASED_ENDPOINTS_SQL, [cutoff, 1000])).rows.map((r) => r.id).sort();
      expect(await due()).toEqual(['end_1', 'end_2']);
      // A live lease: its worker pumps it; a lapsed one is the sweeper's again.
      await client.query(`UPDATE endpoints SET lease_owner = 'wkr_t', lease_until = now() + interval '1 minute' WHERE id = 'end_1'`);
      expect(await due()).toEqual(['end_2']);
      await client.query(`UPDATE endpoints SET lease_until = now() - interval '1 second' WHERE id = 'end_1'`);
      expect(await due()).toEqual(['end_1', 'end_2']);
      // Nothing due before the cutoff: not woken.
      expect((await client.query(DUE_UNLEASED_ENDPOINTS_SQL, [new Date(Date.now() - 3_600_000), 1000])).rows).toEqual([]);
    });
  });

  it("an endpoint's health counts its backlog (a ping's delivery aside) and its failed deliveries", async () => {
    const health = await new EndpointRepository(db).health(scope, 'end_1', new Date());
    expect(health!.deliveries).toMatchObject({ backlog: 23, failed: 5 });
  });

  it('a recovery lists the failed and waiting deliveries; an endpoint enabled again has its whole backlog due', async () => {
    const deliveries = new DeliveryRepository(db);
    const hour = 3_600_000;
    const undelivered = await db.transaction((m) => deliveries.undelivered(asTx(m), scope, 'end_1', new Date(Date.now() - hour), new Date(Date.now() + hour)));
    expect(undelivered.sort()).toEqual(Array.from({ length: 28 }, (_, i) => `dlv_${2001 + i}`));

    await db.transaction(async (m) => {
      expect(await deliveries.makeWaitingDue(asTx(m), 'end_1')).toBe(23);
      const [{ later }] = await m.query(`SELECT count(*)::int AS later FROM deliveries WHERE endpoint_id = 'end_1' AND next_attempt_at > now()`);
      expect(later).toBe(0);
    });
  });

  it("a message's attempt log (the API's) and retention's delete read attempts by attempts_message, not the whole table", async () => {
    const byMessage = await client.query(`EXPLAIN (FORMAT JSON) SELECT * FROM attempts WHERE message_id = 'msg_7' ORDER BY attempted_at`);
    expect(indexesOf(byMessage.rows[0]['QUERY PLAN'][0].Plan)).toContain('attempts_message');
    const retention = await client.query(`EXPLAIN (FORMAT JSON) DELETE FROM attempts WHERE message_id = ANY('{msg_7,msg_8}')`);
    expect(indexesOf(retention.rows[0]['QUERY PLAN'][0].Plan)).toContain('attempts_message');

    const attempts = await new MessageRepository(db).attemptsOfMessage(scope, 'msg_7');
    expect(attempts.map((a) => a.id)).toEqual(['att_7_2', 'att_7_1']);
  });
});
