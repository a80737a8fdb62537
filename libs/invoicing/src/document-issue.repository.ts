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
 * Numbers and inserts an invoice, unless its order has one already: then no number is taken and the statement
 * returns no row. SERIES_INCREMENT's parameters, then the invoice's ($5–$18). Asking "invoiced already?" here,
 * not in a read before, keeps the partner's number lock to this one round trip per invoice.
 */
const NUMBER_INVOICE = `
    WITH seq AS (
      INSERT INTO invoice_sequences (partner_id, environment, series, fiscal_year, last_value)
      SELECT $1, $2, $3, $4, 1 WHERE NOT EXISTS (SELECT 1 FROM invoices WHERE order_id = $6 AND partner_id = $1)
      ON CONFLICT (partner_id, environment, series, fiscal_year) DO UPDATE SET last_value = invoice_sequences.last_value + 1
      RETURNING last_value, clock_timestamp() AS issued_at
    ), inv AS (
      INSERT INTO invoices (id, partner_id, environment, order_id, number, fiscal_year, sequence, issued_at, currency,
        amount_total, amount_excluding_tax, amount_tax, locale, seller, buyer, lines, terms, paid_at, payment_method)
      SELECT $5, $1, $2, $6, ${invoiceNumberSql('$7', 'seq.last_value')}, $4, seq.last_value, seq.issued_at, $8, $9, $10, $11, $12,
        $13::jsonb, $14::jsonb, $15::jsonb, $16::jsonb, coalesce($17::timestamptz, seq.issued_at), $18
      FROM seq
      RETURNING number, sequence, issued_at
    )`;

const ISSUE_INVOICE: NamedStatement = {
  name: 'issue_invoice',
  text: `${NUMBER_INVOICE} SELECT number, sequence, issued_at, ${ANNOUNCE_ISSUED} AS notified FROM inv`,
};

/**
 * The same and, in the same statement, the message announcing the invoice ($19 the number's placeholder in its
 * body, then the message's $20–$25) with its deliveries, written by the outbox's own SQL (OutboxRepository is the
 * one writer of messages). One row per delivery (at least one): reading them is what announces their endpoints.
 */
const ANNOUNCEMENT = outboxWriteSql({
  partnerId: '$1',
  environment: '$2',
  id: '$20',
  type: '$21',
  orderId: '$22',
  body: 'replace($23, $19, inv.number)',
  createdAt: '$24::timestamptz',
  orderingKey: '$25',
  gate: 'inv',
});
const ISSUE_INVOICE_WITH_MESSAGE: NamedStatement = {
  name: 'issue_invoice_with_message',
  text: `${NUMBER_INVOICE}, ${ANNOUNCEMENT.ctes}
    SELECT inv.number, inv.sequence, inv.issued_at, ${ANNOUNCE_ISSUED} AS notified, d.announced
    FROM inv LEFT JOIN (${ANNOUNCEMENT.announce}) d ON true`,
};

/** A row of either issuing statement: the invoice's number and slot, then one per delivery written with it. */
interface IssuedRow {
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
 * The invoice's statement also writes the message announcing it (`order.paid`, whose body carries the number) and
 * its deliveries: gapless numbering makes a partner's payments wait for each other on the series row, and with one
 * statement that row is held for that statement and the commit, not for a round trip per write.
 */
@Injectable()
export class DocumentIssueRepository {
  async invoiceOfOrder(tx: Tx, scope: TenantScope, orderId: string): Promise<Invoice | null> {
    return managerOf(tx).findOneBy(Invoice, { orderId, partnerId: scope.partnerId, environment: scope.environment });
  }

  /**
   * Numbers and inserts `invoice` (its number, sequence and issue date are the statement's; `paidAt` null means
   * paid when issued) with the message announcing it, if any. Null when the order has its invoice already.
   */
  async issueInvoice(tx: Tx, scope: TenantScope, invoice: Invoice, numberStem: string, paidAt: Date | null, message: PreparedMessage | null): Promise<NumberedInvoice | null> {
    // Named: this ~2.6 KB statement runs once per paid order, and planning it each time was ~0.6 ms of PostgreSQL CPU.
    const { rows } = await queryNamed<IssuedRow>(tx, message ? ISSUE_INVOICE_WITH_MESSAGE : ISSUE_INVOICE, [
      scope.partnerId,
      scope.environment,
      'invoice' satisfies DocumentSeries,
      invoice.fiscalYear,
      invoice.id,
      invoice.orderId,
      numberStem,
      invoice.currency,
      invoice.amountTotal,
      invoice.amountExcludingTax,
      invoice.amountTax,
      invoice.locale,
      JSON.stringify(invoice.seller),
      JSON.stringify(invoice.buyer),
      JSON.stringify(invoice.lines),
      JSON.stringify(invoice.terms),
      paidAt,
      invoice.paymentMethod,
      ...(message
        ? [INVOICE_NUMBER_PLACEHOLDER, message.messageId, message.type, message.orderId, message.body, message.createdAt, message.orderingKey]
        : []),
    ]);
    const row = rows[0];
    if (!row) return null;
    return { number: row.number, slot: slotOf('invoice', invoice.fiscalYear, row.sequence, row.issued_at) };
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
