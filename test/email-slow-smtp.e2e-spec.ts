import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, Partner } from '@app/database';
import { DOCUMENT_STAGE } from '@app/invoicing';
import { issueInvoiceForNewOrder } from './support/issued-invoice';
import { ServiceProcess, WorkerOnPort, workerOnFreePort } from './support/service-process';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/**
 * A mail server that takes longer to accept an invoice email than the email claim's lease, with two workers
 * polling for emails: the sender renews its claim while the email is on the wire, so the other worker never takes
 * it and the customer gets the invoice once. Without the renewal the second worker would send it again once the
 * lease lapsed, while the first was still waiting for the server's answer.
 */
(ServiceProcess.available() ? describe : describe.skip)('invoice email: a mail server slower than the email lease', () => {
  let stack: TestStack;
  let db: DataSource;
  const workers: WorkerOnPort[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false });
    db = new DataSource(dataSourceOptions(stack.config.databaseUrl, 2));
    await db.initialize();
    for (let i = 0; i < 2; i++) workers.push(await workerOnFreePort(stack));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.process.stop('SIGKILL')));
    await db?.destroy();
    await stack?.stop();
  }, 120_000);

  it('sends the invoice once while two workers look for emails to send', async () => {
    const created = await stack.createPartner({ invoice_prefix: `S${randomBytes(2).toString('hex').toUpperCase()}` });
    const partner = await db.getRepository(Partner).findOneByOrFail({ id: created.id });
    const invoiceId = await issueInvoiceForNewOrder(db, partner, { line: 'Fauteuil', amount: 4500, customerEmail: 'patient@slow-mail.test', customerName: 'Client patient' });

    // Twice the lease, less a second: the claim would lapse well before the answer without its renewal.
    stack.smtp.answerDelayMs = 2 * DOCUMENT_STAGE.emailLeaseMs - 1000;
    await Promise.all(workers.map((w) => (w.process.start(), w.ready())));
    const toBuyer = () => stack.smtp.recipients.filter((r) => r === 'patient@slow-mail.test').length;

    await waitFor('the invoice emailed (the server answered)', async () => {
      const [row] = await stack.sql<{ emailed: boolean }>(`SELECT emailed_at IS NOT NULL AS emailed FROM invoices WHERE id = $1`, [invoiceId]);
      return row.emailed;
    }, 60_000);
    // Once the invoice is marked emailed no worker claims it; a second copy would already be at the server, its
    // answer held like the first one's.
    expect(toBuyer()).toBe(1);
    expect(stack.smtp.answering).toBe(0);
  }, 120_000);
});
