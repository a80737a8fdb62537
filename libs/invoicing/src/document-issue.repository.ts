import { Injectable } from '@nestjs/common';
import { CreditNote, Invoice, managerOf, NamedStatement, queryNamed, TenantScope, Tx } from '@app/database';
import { outboxWriteSql, PreparedMessage } from '@app/webhooks';
import { DocumentSeries, SeriesSlot, slotOf } from './document-sequence';
import { FISCAL_DOCUMENT_ISSUED_CHANNEL } from './documents/document-kind';
import { fiscalYearOf, invoiceNumberSql } from './invoice-number';

/** Stands for the invoice number in a message written in the same statement as the invoice. */
export const INVOICE_NUMBER_PLACEHOLDER = '@@invoice-number@@';

/** What the numbering statement gave the invoice. */
export interface NumberedInvoice {
  number: string;
  slot: SeriesSlot;
}

/**
 * The increment of a partner's series ($1 partner, $2 environment, $3 series, $4 fiscal year) as a CTE named `seq`
 * (`last_value`, `issued_at`), for a statement that also writes what the number belongs to. The row lock it takes
 * is held until the transaction ends and a rollback gives the number back: no gap, no duplicate. `issued_at` is
 * read once the lock is held, so a document that waited for it is never dated before the one numbered before it
 * (French law wants the series chronological).
 */
const SERIES_INCREMENT = `seq AS (
      INSERT INTO invoice_sequences (partner_id, environment, series, fiscal_year, last_value)
      VALUES ($1, $2, $3, $4, 1)
      ON CONFLICT (partner_id, environment, series, fiscal_year) DO UPDATE SET last_value = invoice_sequences.last_value + 1
      RETURNING last_value, clock_timestamp() AS issued_at
    )`;

/** The notification leaves at commit (never on rollback): the worker's document stage renders the document then. */
const ANNOUNCE_ISSUED = `pg_notify('${FISCAL_DOCUMENT_ISSUED_CHANNEL}', $3)`;

/**
 * Numbers and inserts a partner's invoices of one fiscal year, those whose order has none already (no number is
 * taken for the others), in the order given: SERIES_INCREMENT's parameters ($1-$4, the increment here is the count),
 * the number stem ($5), then one array per invoice column ($6-$18, an element per invoice). Set-based so that
 * a batch of payments takes its partner's number lock for ONE statement and the commit, whatever its size (it was
 * one round trip per invoice, each waiting on the worker's event loop while the lock was held). Asking "invoiced
 * already?" here, not in a read before, keeps the lock to this one statement. It is asked of each order by its id
 * (invoices.order_id is unique; an order has one partner), and OFFSET 0 keeps it a probe per order: joined, the
 * generic plan of this named statement hashed ALL the partner's invoices (or the whole table) for every batch, under
 * the number lock, a read growing with the table (at 300 invoices, 8 of the statement's 13 ms). The invoices share
 * the statement's `issued_at`, taken once the lock is held: the series stays chronological.
 */
const NUMBER_INVOICES = `
    WITH todo AS (
      SELECT u.*, row_number() OVER (ORDER BY u.ord) AS k, count(*) OVER () AS n
      FROM unnest($6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[],
        $14::text[], $15::text[], $16::text[], $17::timestamptz[], $18::text[])
        WITH ORDINALITY AS u(id, order_id, currency, amount_total, amount_excluding_tax, amount_tax, locale, seller, buyer, lines,
          terms, paid_at, payment_method, ord)
      WHERE NOT EXISTS (SELECT 1 FROM invoices v WHERE v.order_id = u.order_id OFFSET 0)
    ), seq AS (
      INSERT INTO invoice_sequences (partner_id, environment, series, fiscal_year, last_value)
      SELECT $1::text, $2::text, $3::text, $4::int, count(*) FROM todo HAVING count(*) > 0
      ON CONFLICT (partner_id, environment, series, fiscal_year) DO UPDATE SET last_value = invoice_sequences.last_value + excluded.last_value
      RETURNING last_value, clock_timestamp() AS issued_at
    ), inv AS (
      INSERT INTO invoices (id, partner_id, environment, order_id, number, fiscal_year, sequence, issued_at, currency,
        amount_total, amount_excluding_tax, amount_tax, locale, seller, buyer, lines, terms, paid_at, payment_method)
      SELECT t.id, $1, $2, t.order_id, ${invoiceNumberSql('$5::text', '(seq.last_value - t.n + t.k)')}, $4, seq.last_value - t.n + t.k,
        seq.issued_at, t.currency, t.amount_total, t.amount_excluding_tax, t.amount_tax, t.locale, t.seller::jsonb, t.buyer::jsonb,
        t.lines::jsonb, t.terms::jsonb, coalesce(t.paid_at, seq.issued_at), t.payment_method
      FROM todo t, seq
      RETURNING id, number, sequence, issued_at
    )`;

/**
 * The messages announcing the invoices, one per invoice at most ($21 the invoice it announces, then $22-$26; $19
 * the number's placeholder in the bodies, $20 their one type), written with their deliveries by the outbox's own SQL
 * (OutboxRepository is the one writer of messages), from the invoices actually issued. `announced` is read (it is
 * what announces the deliveries' endpoints); MATERIALIZED so that counting its rows still computes its NOTIFYs.
 */
const ANNOUNCEMENTS = outboxWriteSql({
  partnerId: '$1',
  environment: '$2',
  id: 'x.id',
  type: '$20::text',
  orderId: 'x.order_id',
  body: 'replace(x.body, $19::text, inv.number)',
  createdAt: 'x.created_at',
  orderingKey: '(SELECT y.ordering_key FROM announcement y WHERE y.id = m.id)',
  deliveryCreatedAt: '(SELECT y.created_at FROM announcement y WHERE y.id = m.id)',
  gate: 'announcement x JOIN inv ON inv.id = x.invoice_id',
});
/** Exported for the plan test (test/lean-issue-plan.int-spec.ts). */
export const ISSUE_INVOICES: NamedStatement = {
  name: 'issue_invoices',
  text: `${NUMBER_INVOICES}, announcement AS (
      SELECT * FROM unnest($21::text[], $22::text[], $23::text[], $24::text[], $25::timestamptz[], $26::text[])
        AS a(invoice_id, id, order_id, body, created_at, ordering_key)
    ), ${ANNOUNCEMENTS.ctes}, announced AS MATERIALIZED (${ANNOUNCEMENTS.announce})
    SELECT inv.id, inv.number, inv.sequence, inv.issued_at, ${ANNOUNCE_ISSUED} AS notified, (SELECT count(*) FROM announced) AS deliveries
    FROM inv`,
};

/** One invoice for issueInvoices: `paidAt` null means paid when issued; `message` announces it (or null). */
export interface InvoiceToIssue {
  invoice: Invoice;
  paidAt: Date | null;
  message: PreparedMessage | null;
}

/** A row of the issuing statement: an invoice it numbered. */
interface IssuedRow {
  id: string;
  number: string;
  sequence: number;
  issued_at: Date;
}

/**
 * Issuing fiscal documents, inside the caller's transaction (the settlement's or the refund's): the partners' number
 * series (`invoice_sequences`, which it owns) and the insert of invoices and credit notes under their numbers. What
 * happens to a document afterwards (PDF, email, announcement) is DocumentRepository's. Each statement is keyed by
 * the scope of the paid or refunded order.
 *
 * The invoices' statement also writes the messages announcing them (`order.paid`, whose body carries the number) and
 * their deliveries: gapless numbering makes a partner's payments wait for each other on the series row, and with one
 * statement that row is held for that statement and the commit, not for a round trip per write.
 */
@Injectable()
export class DocumentIssueRepository {
  async invoiceOfOrder(tx: Tx, scope: TenantScope, orderId: string): Promise<Invoice | null> {
    return managerOf(tx).findOneBy(Invoice, { orderId, partnerId: scope.partnerId, environment: scope.environment });
  }

  /**
   * Numbers and inserts the scope's `items` (all of fiscal year `fiscalYear`, numbers `numberStem` + sequence), in
   * their order, with the messages announcing them. Keyed by invoice id: the ones it numbered; an invoice missing
   * from it was not issued, its order having one already.
   */
  async issueInvoices(tx: Tx, scope: TenantScope, fiscalYear: number, numberStem: string, items: InvoiceToIssue[]): Promise<Map<string, NumberedInvoice>> {
    const invoices = items.map((i) => i.invoice);
    const announced = items.filter((i) => i.message).map((i) => ({ invoiceId: i.invoice.id, message: i.message! }));
    const type = announced[0]?.message.type ?? null;
    // The deliveries' endpoints are chosen by one type for the whole statement.
    if (announced.some((a) => a.message.type !== type)) throw new Error('issueInvoices: messages of more than one type');
    // Named: this ~4 KB statement runs for every batch of paid orders; planning it each time costs PostgreSQL CPU.
    const { rows } = await queryNamed<IssuedRow>(tx, ISSUE_INVOICES, [
      scope.partnerId,
      scope.environment,
      'invoice' satisfies DocumentSeries,
      fiscalYear,
      numberStem,
      invoices.map((i) => i.id),
      invoices.map((i) => i.orderId),
      invoices.map((i) => i.currency),
      invoices.map((i) => i.amountTotal),
      invoices.map((i) => i.amountExcludingTax),
      invoices.map((i) => i.amountTax),
      invoices.map((i) => i.locale),
      invoices.map((i) => JSON.stringify(i.seller)),
      invoices.map((i) => JSON.stringify(i.buyer)),
      invoices.map((i) => JSON.stringify(i.lines)),
      invoices.map((i) => JSON.stringify(i.terms)),
      items.map((i) => i.paidAt),
      invoices.map((i) => i.paymentMethod),
      INVOICE_NUMBER_PLACEHOLDER,
      type,
      announced.map((a) => a.invoiceId),
      announced.map((a) => a.message.messageId),
      announced.map((a) => a.message.orderId),
      announced.map((a) => a.message.body),
      announced.map((a) => a.message.createdAt),
      announced.map((a) => a.message.orderingKey),
    ]);
    return new Map(rows.map((r) => [r.id, { number: r.number, slot: slotOf('invoice', fiscalYear, r.sequence, r.issued_at) }]));
  }

  async creditNoteOfRefund(tx: Tx, scope: TenantScope, stripeRefundId: string): Promise<CreditNote | null> {
    return managerOf(tx).findOneBy(CreditNote, { stripeRefundId, partnerId: scope.partnerId, environment: scope.environment });
  }

  /** The order's credit notes in their series' order. */
  async creditNotesOfOrder(tx: Tx, scope: TenantScope, orderId: string): Promise<CreditNote[]> {
    return managerOf(tx).find(CreditNote, { where: { orderId, partnerId: scope.partnerId, environment: scope.environment }, order: { sequence: 'ASC' } });
  }

  /** Takes the next number of the scope's series of `series`; the lock and the slot are as in SERIES_INCREMENT. */
  async nextInSeries(tx: Tx, scope: TenantScope, series: DocumentSeries): Promise<SeriesSlot> {
    const fiscalYear = fiscalYearOf(new Date());
    const [row] = await managerOf(tx).query(`WITH ${SERIES_INCREMENT} SELECT last_value, issued_at FROM seq`, [
      scope.partnerId,
      scope.environment,
      series,
      fiscalYear,
    ]);
    return slotOf(series, fiscalYear, row.last_value, row.issued_at);
  }

  /** Inserts a numbered credit note (of the scope's partner) and announces it to the document stage at commit. */
  async insertCreditNote(tx: Tx, scope: TenantScope, creditNote: CreditNote): Promise<void> {
    await managerOf(tx).insert(CreditNote, { ...creditNote, partnerId: scope.partnerId, environment: scope.environment });
    await managerOf(tx).query(`SELECT pg_notify('${FISCAL_DOCUMENT_ISSUED_CHANNEL}', $1)`, ['credit_note' satisfies DocumentSeries]);
  }
}
