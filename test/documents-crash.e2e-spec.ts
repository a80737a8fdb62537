import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, Partner } from '@app/database';
import { issueInvoiceForNewOrder } from './support/issued-invoice';
import { ServiceProcess, WorkerOnPort, workerOnFreePort } from './support/service-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

const INVOICES = 8;
/** The invoice the first worker is stopped on, inside the transaction storing it; the batch's others get stored meanwhile. */
const HELD = 3;

/**
 * A worker SIGKILLed in the middle of a batch of invoices it claimed: another worker takes the rest once the
 * render lease lapses, and every invoice ends up rendered, announced and emailed exactly once. The test holds the
 * first worker inside the transaction that stores one invoice's PDF (it wrote that invoice's announcement itself,
 * uncommitted), so the kill lands while the batch is open: the others stored and emailed, that one marked
 * rendered and its PDF inserted in a transaction that dies with the worker.
 */
(ServiceProcess.available() ? describe : describe.skip)('the document stage: a worker killed mid-batch', () => {
  let stack: TestStack;
  let db: DataSource;
  const workers: WorkerOnPort[] = [];
  let holder: Client | undefined;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false });
    db = new DataSource(dataSourceOptions(stack.config.databaseUrl, 4));
    await db.initialize();
    for (let i = 0; i < 2; i++) workers.push(await workerOnFreePort(stack));
  }, 120_000);

  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await Promise.all(workers.map((w) => w.process.stop('SIGKILL')));
    await db?.destroy();
    await stack?.stop();
  }, 120_000);

  it('renders, announces and emails each invoice once', async () => {
    const created = await stack.createPartner({ invoice_prefix: `D${randomBytes(2).toString('hex').toUpperCase()}` });
    await stack.createEndpoint(created.api_keys.test);
    const partner = await db.getRepository(Partner).findOneByOrFail({ id: created.id });
    // Issued while no worker runs: the first one to start claims them all in one batch.
    const ids: string[] = [];
    for (let i = 0; i < INVOICES; i++) {
      ids.push(await issueInvoiceForNewOrder(db, partner, { line: `Lampe ${i}`, amount: 1200, customerEmail: `buyer${i}@batch.test`, customerName: `Client ${i}` }));
    }

    holder = new Client({ connectionString: stack.config.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    // An uncommitted `invoice.issued` for one order: the worker's own insert of it waits on the unique index.
    await holder.query(
      `INSERT INTO messages (id, partner_id, environment, type, order_id, body, created_at)
       SELECT 'msg_held', partner_id, environment, 'invoice.issued', order_id, '{}', now() FROM invoices WHERE id = $1`,
      [ids[HELD]],
    );
    const [first, second] = workers;
    first.process.start();
    await waitFor('the first worker stopped on the held invoice, the others emailed', async () => {
      const [row] = await stack.sql<{ emailed: number; waiting: number }>(
        `SELECT (SELECT count(*)::int FROM invoices WHERE id = ANY($1) AND emailed_at IS NOT NULL) AS emailed,
                (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO messages%') AS waiting`,
        [ids],
      );
      return row.emailed === INVOICES - 1 && row.waiting === 1;
    }, 60_000, 50);
    const [claimed] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE id = ANY($1) AND pdf_rendered_at IS NULL AND render_claimed_until IS NOT NULL`, [ids]);
    expect(claimed.n).toBe(1);

    second.process.start();
    await second.ready();
    await first.process.stop('SIGKILL');
    await holder.query('ROLLBACK');

    await waitFor('every invoice rendered and emailed', async () => {
      const [row] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE id = ANY($1) AND emailed_at IS NOT NULL`, [ids]);
      return row.n === INVOICES;
    }, 60_000);
    const rows = await stack.sql<{ id: string; pdfs: number; issued: number; deliveries: number }>(
      `SELECT i.id,
              (SELECT count(*)::int FROM invoice_pdfs p WHERE p.invoice_id = i.id) AS pdfs,
              (SELECT count(*)::int FROM messages m WHERE m.order_id = i.order_id AND m.type = 'invoice.issued') AS issued,
              (SELECT count(*)::int FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE m.order_id = i.order_id AND m.type = 'invoice.issued') AS deliveries
       FROM invoices i WHERE i.id = ANY($1) ORDER BY i.sequence`,
      [ids],
    );
    expect(rows.map(({ pdfs, issued, deliveries }) => ({ pdfs, issued, deliveries }))).toEqual(ids.map(() => ({ pdfs: 1, issued: 1, deliveries: 1 })));
    const sent = stack.smtp.messages.filter((m) => JSON.stringify(m.to ?? '').includes('@batch.test'));
    expect(sent.map((m) => m.messageId).sort()).toEqual(ids.map((id) => `<${id}@comptappart.test>`).sort());
  }, 180_000);
});
