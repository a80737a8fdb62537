import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { asTx, dataSourceOptions, newId, Order, Partner, scopeForOperator } from '@app/database';
import { DocumentIssueRepository, FISCAL_DOCUMENT_ISSUED_CHANNEL, InvoiceService } from '@app/invoicing';
import { DELIVERY_DUE_CHANNEL } from '../libs/webhooks/src/delivery.repository';
import { createScratchDatabase, seedPartnerEndpoints } from './support/scratch-database';
import { waitFor } from './support/wait-for';

/**
 * The batch's invoice statement (DocumentIssueRepository.issueInvoices), with no worker to blur what it sends: at
 * commit, the document stage is told (one notification) and every endpoint that got a delivery is announced; a
 * rollback sends nothing and gives the numbers back.
 */
describe('invoices of a batch: what their one statement announces', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;
  let listener: Client;
  const heard: { channel: string; payload: string }[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    db = new DataSource(dataSourceOptions(scratch.url, 2));
    await db.initialize();
    await seedPartnerEndpoints(db, 'production', 2);
    listener = new Client({ connectionString: scratch.url });
    await listener.connect();
    listener.on('notification', (n) => heard.push({ channel: n.channel, payload: n.payload ?? '' }));
    await listener.query(`LISTEN ${DELIVERY_DUE_CHANNEL}; LISTEN ${FISCAL_DOCUMENT_ISSUED_CHANNEL}`);
  });

  afterAll(async () => {
    await listener?.end();
    await db?.destroy();
    await scratch?.drop();
  });

  async function paidOrders(n: number): Promise<Order[]> {
    const repo = db.getRepository(Order);
    return Promise.all(
      Array.from({ length: n }, (_, i) =>
        repo.save(repo.create({
          id: newId('ord'), partnerId: 'par_1', environment: 'production', status: 'paid', currency: 'eur', amountTotal: 500,
          lineItems: [{ name: `L${i}`, quantity: 1, unit_amount: 500, vat_rate: 20, amount_total: 500 }], locale: 'fr', paidAt: new Date(),
        })),
      ),
    );
  }

  it('announces the document stage and both endpoints at commit; a rollback announces nothing and takes no number', async () => {
    const partner = await db.getRepository(Partner).findOneByOrFail({ id: 'par_1' });
    const scope = scopeForOperator(partner, 'production');
    const sut = new InvoiceService(new DocumentIssueRepository());
    const requests = (orders: Order[]) =>
      orders.map((order) => ({
        order,
        paymentMethod: 'card',
        invoiceId: newId('inv'),
        message: { messageId: newId('msg'), type: 'order.paid' as const, orderId: order.id, orderingKey: order.id, body: '{}', createdAt: new Date() },
      }));

    await expect(
      db.transaction(async (tx) => {
        await sut.issueAndAnnounceAll(asTx(tx), scope, partner, requests(await paidOrders(3)));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const issued = await db.transaction(async (tx) => sut.issueAndAnnounceAll(asTx(tx), scope, partner, requests(await paidOrders(3))));
    expect(issued.map((i) => i.invoice.sequence)).toEqual([1, 2, 3]);
    await waitFor('the commit announced', () => (heard.length >= 3 ? true : null), 5_000);
    expect(heard.filter((h) => h.channel === FISCAL_DOCUMENT_ISSUED_CHANNEL)).toEqual([{ channel: FISCAL_DOCUMENT_ISSUED_CHANNEL, payload: 'invoice' }]);
    expect(heard.filter((h) => h.channel === DELIVERY_DUE_CHANNEL).map((h) => h.payload).sort()).toEqual(['end_1', 'end_2']);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM deliveries`);
    expect(count).toBe(6);
  });
});
