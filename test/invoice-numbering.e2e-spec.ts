import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { asTx, dataSourceOptions, newId, Order, Partner, scopeForOperator } from '@app/database';
import { DocumentIssueRepository, formatInvoiceNumber, invoiceNumberSql, invoiceNumberStem, InvoiceService } from '@app/invoicing';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Per partner and environment, one chronological series without gap or duplicate, whatever the concurrency. */
describe('invoice numbering', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ env: { WORKER_CONCURRENCY: '16' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const year = new Date().getFullYear();
  const seq = (number: string) => Number(number.slice(-6));
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('numbers formatted by PostgreSQL (the issuing statement) read exactly as formatInvoiceNumber writes them', async () => {
    for (const environment of ['staging', 'production'] as const) {
      for (const sequence of [1, 42, 999_999, 1_000_000, 12_345_678]) {
        const [row] = await stack.sql<{ number: string }>(`SELECT ${invoiceNumberSql('$1', '$2::int')} AS number`, [invoiceNumberStem('ATL', environment, 2026), sequence]);
        expect(row.number).toBe(formatInvoiceNumber('ATL', environment, 2026, sequence));
      }
    }
  });

  it('100 invoices paid at once across 3 partners: each series is 1..n, and staging never touches production', async () => {
    const partners = await Promise.all(['NA', 'NB', 'NC'].map((prefix) => stack.createPartner({ invoice_prefix: prefix })));
    // 90 live payments (30 per partner) and 10 test ones, interleaved.
    const plan = range(100).map((i) => ({ partner: partners[i % 3], live: i % 10 !== 0 }));
    const checkouts = [];
    for (const p of plan) {
      const c = await stack.createCheckout(p.live ? p.partner.api_keys.live : p.partner.api_keys.test, {
        line_items: [{ name: `Article ${checkouts.length}`, quantity: 1, unit_amount: 1000 + checkouts.length }],
      });
      checkouts.push(c);
    }
    await Promise.all(checkouts.map((c) => stack.emulator.completeCheckoutSession(c.checkout_session_id)));

    const invoices = await waitFor('100 invoices', async () => {
      const rows = await stack.sql<{ partner_id: string; environment: string; number: string; sequence: number; issued_at: Date }>(
        `SELECT partner_id, environment, number, sequence, issued_at FROM invoices ORDER BY issued_at, sequence`,
      );
      return rows.length === 100 ? rows : null;
    }, 60_000);

    for (const [i, partner] of partners.entries()) {
      const prefix = ['NA', 'NB', 'NC'][i];
      for (const environment of ['production', 'staging']) {
        const mine = invoices.filter((r) => r.partner_id === partner.id && r.environment === environment);
        const expected = plan.filter((p) => p.partner === partner && (environment === 'production') === p.live).length;
        expect(mine).toHaveLength(expected);
        expect(mine.map((r) => r.sequence).sort((a, b) => a - b)).toEqual(range(expected));
        // Chronological: a later number is never issued before an earlier one.
        const byIssue = [...mine].sort((a, b) => a.issued_at.getTime() - b.issued_at.getTime() || a.sequence - b.sequence);
        expect(byIssue.map((r) => r.sequence)).toEqual(range(expected));
        for (const r of mine) {
          expect(r.number).toBe(`${environment === 'staging' ? 'TEST-' : ''}${prefix}-${year}-${String(r.sequence).padStart(6, '0')}`);
          expect(seq(r.number)).toBe(r.sequence);
          expect(r.number.length).toBeLessThanOrEqual(35);
        }
      }
    }
    expect(new Set(invoices.map((r) => r.number)).size).toBe(100);
  }, 120_000);

  /**
   * An issuer working straight on PostgreSQL (no worker) for a new partner, with `count` paid production orders of
   * 5 € each: what the tests below number, on a pool of `connections`.
   */
  async function withIssuer(prefix: string, count: number, connections: number, test: (ctx: { db: DataSource; partner: Partner; sut: InvoiceService; orders: Order[]; liveKey: string }) => Promise<void>): Promise<void> {
    const db = new DataSource(dataSourceOptions(stack.config.databaseUrl, connections));
    await db.initialize();
    try {
      const created = await stack.createPartner({ invoice_prefix: prefix });
      const partner = await db.getRepository(Partner).findOneByOrFail({ id: created.id });
      const orders = await Promise.all(
        range(count).map((i) =>
          db.getRepository(Order).save(db.getRepository(Order).create({
            id: newId('ord'), partnerId: partner.id, environment: 'production', status: 'paid', currency: 'eur', amountTotal: 500,
            lineItems: [{ name: `L${i}`, quantity: 1, unit_amount: 500, vat_rate: 20, amount_total: 500 }], locale: 'fr', paidAt: new Date(),
          })),
        ),
      );
      await test({ db, partner, sut: new InvoiceService(new DocumentIssueRepository()), orders, liveKey: created.api_keys.live });
    } finally {
      await db.destroy();
    }
  }

  it('a transaction that rolls back after taking a number gives it back: no gap', () =>
    withIssuer('RB', 30, 12, async ({ db, partner, sut, orders }) => {
      // Every third transaction fails after its invoice was numbered, while the others run concurrently.
      const results = await Promise.allSettled(
        orders.map((order, i) =>
          db.transaction(async (tx) => {
            await sut.issueForOrder(asTx(tx), scopeForOperator(partner, order.environment), order, partner, 'card');
            await new Promise((r) => setTimeout(r, 5));
            if (i % 3 === 0) throw new Error('crash after numbering');
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(10);
      const rows = await stack.sql<{ sequence: number }>(`SELECT sequence FROM invoices WHERE partner_id = $1 ORDER BY sequence`, [partner.id]);
      expect(rows.map((r) => r.sequence)).toEqual(range(20));
    }));

  it('issuing again for an invoiced order gives its invoice back and takes no number: the next order follows without a gap', () =>
    withIssuer('RE', 2, 2, async ({ db, partner, sut, orders: [first, second] }) => {
      const scope = scopeForOperator(partner, 'production');
      const issue = (order: Order) => db.transaction((tx) => sut.issueForOrder(asTx(tx), scope, order, partner, 'card'));
      const original = await issue(first);
      const replayed = await issue(first);
      expect(replayed).toMatchObject({ id: original.id, number: original.number, sequence: 1 });
      expect((await issue(second)).sequence).toBe(2);
      const rows = await stack.sql<{ order_id: string; sequence: number }>(`SELECT order_id, sequence FROM invoices WHERE partner_id = $1 ORDER BY sequence`, [partner.id]);
      expect(rows).toEqual([{ order_id: first.id, sequence: 1 }, { order_id: second.id, sequence: 2 }]);
    }));

  it('a batch of invoices in one statement: numbered in its order, an invoiced order skipped (no number taken), each announced with its deliveries', () =>
    withIssuer('BA', 5, 2, async ({ db, partner, sut, orders, liveKey }) => {
      // Two endpoints of the partner's production scope: each message gets one delivery per endpoint. Subscribed to
      // order.paid alone: the stack's worker announces the first invoice (invoice.issued) once rendered, and a delivery
      // of it due at batch time would rightly keep the statement from announcing that endpoint again (ANNOUNCE_SQL).
      const subscribed = { event_types: ['order.paid'] };
      const endpoints = [
        (await stack.createEndpoint(liveKey, 'https://a.example.test/hook', subscribed)).id,
        (await stack.createEndpoint(liveKey, 'https://b.example.test/hook', subscribed)).id,
      ].sort();
      const scope = scopeForOperator(partner, 'production');
      const first = await db.transaction((tx) => sut.issueForOrder(asTx(tx), scope, orders[2], partner, 'card'));
      expect(first.sequence).toBe(1);
      const requests = orders.map((order) => ({
        order,
        paymentMethod: 'card',
        invoiceId: newId('inv'),
        message: { messageId: newId('msg'), type: 'order.paid' as const, orderId: order.id, orderingKey: order.id, body: `{"number":"@@invoice-number@@"}`, createdAt: new Date() },
      }));
      // Both endpoints are announced at commit (the statement reads its announcements, so their NOTIFYs run).
      const listener = new Client({ connectionString: stack.config.databaseUrl });
      await listener.connect();
      const announced = new Set<string>();
      listener.on('notification', (n) => n.channel === 'delivery_due' && announced.add(n.payload ?? ''));
      await listener.query('LISTEN delivery_due');
      const issued = await db.transaction((tx) => sut.issueAndAnnounceAll(asTx(tx), scope, partner, requests));
      await waitFor('both endpoints announced', async () => (endpoints.every((e) => announced.has(e)) ? true : null), 5_000);
      await listener.end();
      expect(issued.map((i) => i.invoice.orderId)).toEqual(orders.map((o) => o.id));
      expect(issued.map((i) => i.invoice.sequence)).toEqual([2, 3, 1, 4, 5]);
      expect(issued[2].invoice.id).toBe(first.id);
      const rows = await stack.sql<{ order_id: string; sequence: number; number: string }>(`SELECT order_id, sequence, number FROM invoices WHERE partner_id = $1 ORDER BY sequence`, [partner.id]);
      expect(rows.map((r) => r.sequence)).toEqual(range(5));
      const messages = await stack.sql<{ id: string; order_id: string; body: string }>(`SELECT id, order_id, body FROM messages WHERE partner_id = $1 AND type = 'order.paid'`, [partner.id]);
      // (The worker announces the invoices too, once rendered: invoice.issued, not this statement's.)
      // The already-invoiced order's message is not written: its invoice was not issued by this statement.
      expect(messages.map((m) => m.order_id).sort()).toEqual([0, 1, 3, 4].map((i) => orders[i].id).sort());
      for (const m of messages) expect(JSON.parse(m.body).number).toBe(rows.find((r) => r.order_id === m.order_id)!.number);
      const deliveries = await stack.sql<{ message_id: string; endpoint_id: string; order_id: string }>(
        `SELECT d.message_id, d.endpoint_id, d.order_id FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE d.partner_id = $1 AND m.type = 'order.paid'`,
        [partner.id],
      );
      expect(deliveries).toHaveLength(8);
      for (const m of messages) {
        expect(deliveries.filter((d) => d.message_id === m.id).map((d) => d.endpoint_id).sort()).toEqual(endpoints);
        expect(deliveries.filter((d) => d.message_id === m.id).every((d) => d.order_id === m.order_id)).toBe(true);
      }
    }));
});
