import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { asTx, dataSourceOptions, newId, Order, Partner, scopeForOperator } from '@app/database';
import { DocumentIssueRepository, InvoiceService } from '@app/invoicing';
import { ISSUE_INVOICES } from '../libs/invoicing/src/document-issue.repository';
import { createScratchDatabase, seedPartnerEndpoints } from './support/scratch-database';
import { indexesOf } from './support/query-plans';

/**
 * The batch's invoice statement runs under the partner's number lock, as a named statement, so with the generic
 * plan PostgreSQL picks after five runs. Its "invoiced already?" check must probe each order's invoice, not read all
 * the partner's invoices: it did (a hash of every invoice of the partner per batch, growing with the table), and a
 * second batch of a partner waited for it.
 */
describe('issuing a batch of invoices: the generic plan probes each order', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;
  let pg: Client;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    db = new DataSource(dataSourceOptions(scratch.url, 2));
    await db.initialize();
    await seedPartnerEndpoints(db, 'production', 1);
    pg = new Client({ connectionString: scratch.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.destroy();
    await scratch?.drop();
  });

  async function paidOrders(n: number): Promise<Order[]> {
    const repo = db.getRepository(Order);
    return repo.save(
      Array.from({ length: n }, (_, i) =>
        repo.create({
          id: newId('ord'), partnerId: 'par_1', environment: 'production', status: 'paid', currency: 'eur', amountTotal: 500,
          lineItems: [{ name: `L${i}`, quantity: 1, unit_amount: 500, vat_rate: 20, amount_total: 500 }], locale: 'fr', paidAt: new Date(),
        }),
      ),
    );
  }

  it('reads invoices by order id whatever the partner has issued, and still issues an order once', async () => {
    const partner = await db.getRepository(Partner).findOneByOrFail({ id: 'par_1' });
    const scope = scopeForOperator(partner, 'production');
    const sut = new InvoiceService(new DocumentIssueRepository());
    const requests = (orders: Order[]) => orders.map((order) => ({ order, paymentMethod: 'card', invoiceId: newId('inv'), message: null }));
    const orders = await paidOrders(400);
    for (let i = 0; i < orders.length; i += 50) await db.transaction(async (tx) => sut.issueAndAnnounceAll(asTx(tx), scope, partner, requests(orders.slice(i, i + 50))));
    await pg.query('ANALYZE invoices');

    await pg.query('SET plan_cache_mode = force_generic_plan');
    await pg.query(`PREPARE issue AS ${ISSUE_INVOICES.text}`);
    const [again] = await paidOrders(1);
    const arrays = (values: unknown[]) => values;
    const params = [
      'par_1', 'production', 'invoice', 2026, 'F-2026-',
      ...arrays([[newId('inv'), newId('inv')], [orders[0].id, again.id], ['eur', 'eur'], [500, 500], [417, 417], [83, 83], ['fr', 'fr'],
        ['{}', '{}'], ['{}', '{}'], ['[]', '[]'], ['{}', '{}'], [null, null], ['card', 'card']]),
      '@@n@@', null, [], [], [], [], [], [],
    ];
    const literal = (v: unknown) => (v === null ? 'NULL' : `'${(Array.isArray(v) ? `{${v.map((x) => (x === null ? 'NULL' : `"${x}"`)).join(',')}}` : String(v)).replace(/'/g, "''")}'`);
    await pg.query('BEGIN');
    try {
      const { rows } = await pg.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE issue(${params.map(literal).join(', ')})`);
      const indexes = indexesOf(rows[0]['QUERY PLAN'][0].Plan);
      if (process.env.LEAN_DEBUG) console.log(JSON.stringify(rows[0]['QUERY PLAN'][0].Plan, (k, v) => (['Output', 'Startup Cost', 'Plan Width', 'Parallel Aware', 'Async Capable'].includes(k) ? undefined : v)));
      expect(indexes).toContain('invoices_order_id_key');
      expect(indexes).not.toContain('invoices_partner_id_environment_number_key');
      // The order already invoiced is left out, the new one issued under the next number.
      const { rows: issued } = await pg.query(`SELECT order_id, sequence FROM invoices WHERE order_id = ANY($1) ORDER BY sequence`, [[orders[0].id, again.id]]);
      expect(issued.map((r: { order_id: string; sequence: string }) => [r.order_id, Number(r.sequence)])).toEqual([[orders[0].id, 1], [again.id, 401]]);
    } finally {
      await pg.query('ROLLBACK');
    }
  });
});
