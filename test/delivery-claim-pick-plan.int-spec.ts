import { Client } from 'pg';
import { CLAIM_PICK } from '../libs/webhooks/src/delivery-claim.repository';
import { connectedScratch, seedPendingBacklog } from './support/scratch-database';
import { indexesOf, largestDeliveriesScan } from './support/query-plans';

/**
 * The claim's pick is a named statement, so after five runs a connection keeps PostgreSQL's generic plan, chosen
 * without the arrays' values: it must still walk the endpoint's due deliveries in key order and stop after the
 * limit, whatever the backlog (1,200 due here), and pick the right ones (held ones skipped, picked ahead counted).
 */
describe('delivery claim: the pick as a generic plan', () => {
  let db: Client;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ db, close } = await connectedScratch(2));
    await db.query(`UPDATE endpoints SET max_in_flight = 10, lease_owner = 'wkr_t', lease_until = now() + interval '1 hour'`);
    await seedPendingBacklog(db, 1200, `now() - interval '1 minute' + i * interval '1 millisecond'`);
    await db.query('SET plan_cache_mode = force_generic_plan');
    await db.query(`PREPARE pick AS ${CLAIM_PICK.text}`);
  });

  afterAll(async () => {
    await close?.();
  });

  it('walks deliveries_endpoint_waiting, reads about what it takes, and takes what planClaim would', async () => {
    // end_1: 4 sent (1 answered) and 3 picked ahead, held; end_2: nothing held. Room 500.
    const held = ['dlv_0002', 'dlv_0004', 'dlv_0006', 'dlv_0008', 'dlv_0010', 'dlv_0012', 'dlv_0014'];
    const args = `'{end_1,end_2}', '{7,0}', '{1,0}', '{3,0}', 'wkr_t', 500, '${held.join(',')}'`;
    const { rows: plans } = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE pick(${args})`);
    const plan = plans[0]['QUERY PLAN'][0].Plan;
    expect(indexesOf(plan)).toContain('deliveries_endpoint_waiting');
    expect(largestDeliveriesScan(plan)).toBeLessThan(100);

    const { rows } = await db.query(`EXECUTE pick(${args})`);
    const taken = (endpoint: string) => rows.filter((r) => r.id === endpoint && r.delivery_id !== null).map((r) => r.delivery_id as string);
    // end_1: 3 slots busy, 7 free now and 10 - 3 ahead = 14; end_2: 10 free and 10 ahead.
    expect(taken('end_1')).toHaveLength(14);
    expect(taken('end_1').some((id) => held.includes(id))).toBe(false);
    expect(taken('end_1')[0]).toBe('dlv_0016');
    expect(taken('end_2')).toHaveLength(20);
    expect(taken('end_2')[0]).toBe('dlv_0001');
  });

  it('picks nothing for an endpoint this worker does not hold', async () => {
    const { rows } = await db.query(`EXECUTE pick('{end_1}', '{0}', '{0}', '{0}', 'wkr_other', 500, '')`);
    expect(rows).toHaveLength(0);
  });
});
