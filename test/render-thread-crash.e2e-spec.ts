import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, Partner } from '@app/database';
import { RenderThreads } from '../libs/invoicing/src/pdf/render-threads';
import { issueInvoiceForNewOrder } from './support/issued-invoice';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

const INVOICES = 6;

/**
 * The render thread dies in the middle of the worker's first batch (ended as it starts rendering): the renders it
 * had fail, the documents stay claimed, the stage renders them again in a new thread once the lease lapses, and every
 * invoice is rendered, announced and emailed exactly once.
 */
describe('the document stage: a render thread killed mid-render', () => {
  let stack: TestStack;
  let db: DataSource;
  const outcomes: Array<'rendered' | 'failed'> = [];
  let killed = false;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false, env: { PDF_RENDER_THREADS: '1' } });
    db = new DataSource(dataSourceOptions(stack.config.databaseUrl, 2));
    await db.initialize();
    const render = RenderThreads.prototype.render;
    jest.spyOn(RenderThreads.prototype, 'render').mockImplementation(function (this: RenderThreads, doc) {
      const pdf = render.call(this, doc);
      if (!killed) {
        killed = true;
        void this.workers[0].terminate();
      }
      pdf.then(() => outcomes.push('rendered'), () => outcomes.push('failed'));
      return pdf;
    });
  }, 120_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await db?.destroy();
    await stack?.stop();
  }, 120_000);

  it('renders, announces and emails each invoice once', async () => {
    const created = await stack.createPartner({ invoice_prefix: `R${randomBytes(2).toString('hex').toUpperCase()}` });
    await stack.createEndpoint(created.api_keys.test);
    const partner = await db.getRepository(Partner).findOneByOrFail({ id: created.id });
    // Issued before the worker starts: its first batch claims them all, and the thread dies under that batch.
    const ids: string[] = [];
    for (let i = 0; i < INVOICES; i++) {
      ids.push(await issueInvoiceForNewOrder(db, partner, { line: `Lampe ${i}`, amount: 1200, customerEmail: `buyer${i}@thread.test`, customerName: `Client ${i}` }));
    }
    await stack.startWorker();

    await waitFor('every invoice rendered and emailed', async () => {
      const [row] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE id = ANY($1) AND emailed_at IS NOT NULL`, [ids]);
      return row.n === INVOICES;
    }, 60_000);
    // The renders in the dead thread failed, and the same documents rendered again afterwards.
    expect(outcomes.filter((o) => o === 'failed').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o === 'rendered').length).toBeGreaterThanOrEqual(INVOICES);
    const rows = await stack.sql<{ pdfs: number; issued: number; deliveries: number }>(
      `SELECT (SELECT count(*)::int FROM invoice_pdfs p WHERE p.invoice_id = i.id) AS pdfs,
              (SELECT count(*)::int FROM messages m WHERE m.order_id = i.order_id AND m.type = 'invoice.issued') AS issued,
              (SELECT count(*)::int FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE m.order_id = i.order_id AND m.type = 'invoice.issued') AS deliveries
       FROM invoices i WHERE i.id = ANY($1) ORDER BY i.sequence`,
      [ids],
    );
    expect(rows).toEqual(ids.map(() => ({ pdfs: 1, issued: 1, deliveries: 1 })));
    const sent = stack.smtp.messages.filter((m) => JSON.stringify(m.to ?? '').includes('@thread.test'));
    expect(sent.map((m) => m.messageId).sort()).toEqual(ids.map((id) => `<${id}@comptappart.test>`).sort());
  }, 120_000);
});
