import { Client } from 'pg';
import { createScratchDatabase } from './support/scratch-database';

/**
 * The inbox's storage choices that the ingest's throughput rests on (migration InboxInsertCost1763801000000):
 * each was measured, and each is lost silently by a later ALTER (a change of type resets a column's compression).
 */
describe('stripe_events storage', () => {
  let database: { url: string; drop: () => Promise<void> };
  let db: Client;

  beforeAll(async () => {
    database = await createScratchDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });

  it('stores the payload as lz4-compressed text and compares ids bytewise', async () => {
    const { rows } = await db.query<{ attname: string; type: string; compression: string; collation: string | null }>(
      `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attcompression AS compression, c.collname AS collation
         FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation AND a.attcollation <> 100
        WHERE a.attrelid = 'stripe_events'::regclass AND a.attname IN ('id', 'payload') ORDER BY a.attname`,
    );
    expect(rows).toEqual([
      { attname: 'id', type: 'text', compression: '', collation: 'C' },
      { attname: 'payload', type: 'text', compression: 'l', collation: null },
    ]);
  });

  it('gives a new (received) row no entry in the index of settled events, which still serves the retention', async () => {
    const { rows } = await db.query<{ indexname: string; indexdef: string }>(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'stripe_events' ORDER BY indexname`);
    expect(rows.map((r) => r.indexname)).not.toContain('stripe_events_status');
    expect(rows.find((r) => r.indexname === 'stripe_events_settled')?.indexdef).toMatch(/WHERE \(status <> 'received'::text\)/);
    await db.query(`SET enable_seqscan = off`);
    const plan = await db.query(`EXPLAIN SELECT id FROM stripe_events WHERE status IN ('processed', 'ignored') AND received_at < now() LIMIT 100`);
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('stripe_events_settled');
  });

  it('keeps the payload exactly as sent, and the json operators work on it through a cast', async () => {
    const body = '{"id":"evt_schema_1", "data":{"object":{"payment_intent":"pi_1"}},"livemode":false}';
    await db.query(`INSERT INTO stripe_events (id, type, livemode, payload) VALUES ('evt_schema_1', 'charge.refunded', false, $1)`, [body]);
    const { rows } = await db.query(`SELECT payload, payload::json -> 'data' -> 'object' ->> 'payment_intent' AS pi FROM stripe_events WHERE id = 'evt_schema_1'`);
    expect(rows).toEqual([{ payload: body, pi: 'pi_1' }]);
  });
});
