import { Client } from 'pg';
import { RECORD_DELIVERED } from '../libs/webhooks/src/attempt-record.repository';
import { connectedScratch, seedPendingBacklog } from './support/scratch-database';
import { indexesOf, largestDeliveriesScan } from './support/query-plans';

/**
 * The all-2xx record is a named statement whose batch is one JSON parameter: as a generic plan (no row count known
 * for the batch) it must still reach the batch's deliveries by deliveries_pkey among thousands pending, and write
 * the attempts and next states it carries.
 */
describe('delivery record: the all-2xx record as a generic plan', () => {
  let db: Client;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ db, close } = await connectedScratch(2));
    await seedPendingBacklog(db, 4000, 'now()', `now() - interval '2 seconds'`);
    await db.query('SET plan_cache_mode = force_generic_plan');
    await db.query(`PREPARE record(json) AS ${RECORD_DELIVERED.text}`);
  });

  afterAll(async () => {
    await close?.();
  });

  /** EXECUTE takes no bind parameters: the batch is written in. */
  const execute = (prefix: string, batch: string) => db.query(`${prefix}EXECUTE record(${db.escapeLiteral(batch)})`);

  const batchOf = (ids: string[], at: number, attemptCount = 0) =>
    JSON.stringify(
      ids.map((d, i) => ({
        id: `att_${at}_${i}`,
        delivery_id: d,
        message_id: `msg_${Number(d.slice(4))}`,
        endpoint_id: `end_${1 + (Number(d.slice(4)) % 2)}`,
        status_code: 200,
        duration_ms: 3,
        response_body: i === 0 ? 'quote " backslash \\ newline \n é' : 'ok',
        error: null,
        attempt_count: attemptCount,
        status: 'delivered',
        reason: null,
        attempted_at: at,
        finished_at: at + 3,
        next_at: null,
      })),
    );

  it('reaches the deliveries by deliveries_pkey and records each attempt', async () => {
    const at = Date.parse('2026-01-02T03:04:05.678Z');
    const ids = ['dlv_0001', 'dlv_0003', 'dlv_0010'];
    const { rows: plans } = await execute('EXPLAIN (ANALYZE, FORMAT JSON) ', batchOf(ids, at));
    const plan = plans[0]['QUERY PLAN'][0].Plan;
    expect(indexesOf(plan)).toContain('deliveries_pkey');
    expect(largestDeliveriesScan(plan)).toBeLessThan(10);
    // EXPLAIN ANALYZE ran it: the attempts and the deliveries' next state are written.
    const { rows: attempts } = await db.query(
      `SELECT delivery_id, attempted_at, response_body, error FROM attempts ORDER BY delivery_id`,
    );
    expect(attempts.map((a) => a.delivery_id)).toEqual(ids);
    expect(attempts[0].attempted_at.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(attempts[0].response_body).toBe('quote " backslash \\ newline \n é');
    const { rows: delivered } = await db.query(`SELECT id, status, attempt_count, delivered_at FROM deliveries WHERE status <> 'pending' ORDER BY id`);
    expect(delivered.map((d) => [d.id, d.status, d.attempt_count, d.delivered_at.toISOString()])).toEqual(
      ids.map((id) => [id, 'delivered', 1, '2026-01-02T03:04:05.681Z']),
    );
    // Each endpoint's last success is its latest attempt's end in the batch (both were never successful before).
    const { rows: endpoints } = await db.query(`SELECT id, last_success_at FROM endpoints ORDER BY id`);
    expect(endpoints.map((e) => [e.id, e.last_success_at?.toISOString()])).toEqual([
      ['end_1', '2026-01-02T03:04:05.681Z'],
      ['end_2', '2026-01-02T03:04:05.681Z'],
    ]);
  });

  it('returns the latency of the deliveries it moved on, and skips those that moved on meanwhile', async () => {
    const at = Date.now();
    // dlv_0001 was recorded above (attempt_count 1 now): a stale result for it changes nothing.
    const { rows } = await execute('', batchOf(['dlv_0001', 'dlv_0002'], at));
    expect(rows.map((r) => r.id)).toEqual(['dlv_0002']);
    expect(rows[0].status).toBe('delivered');
    expect(rows[0].latency_s).toBeGreaterThan(1.5);
    expect(rows[0].latency_s).toBeLessThan(60);
  });
});
