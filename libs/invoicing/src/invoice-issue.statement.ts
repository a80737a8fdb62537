import type { Invoice, Order } from '@app/database';
import type { PreparedMessage } from '@app/webhooks';
import { seriesIncrementSql } from './document-sequence';
import { FISCAL_DOCUMENT_ISSUED_CHANNEL } from './documents/document-kind';
import { invoiceNumberSql } from './invoice-number';

/** Stands for the invoice number in a message written in the same statement as the invoice. */
export const INVOICE_NUMBER_PLACEHOLDER = '@@invoice-number@@';

/**
 * One statement: take the next number of the partner's invoice series (the row lock that keeps it gapless), insert
 * the invoice under it and, when given, the message announcing it, with the number put in its body, and the
 * message's deliveries. Parameters: invoiceParams ($1–$17), then messageParams ($18–$26).
 */
export function issueStatement(withMessage: boolean): string {
  const numbered = `
    WITH ${seriesIncrementSql('$2', '$3', "'invoice'", '$6')}, inv AS (
      INSERT INTO invoices (id, partner_id, environment, order_id, number, fiscal_year, sequence, issued_at, currency,
        amount_total, amount_excluding_tax, amount_tax, locale, seller, buyer, lines, terms, paid_at, payment_method)
      SELECT $1, $2, $3, $4, ${invoiceNumberSql('$5', 'seq.last_value')}, $6, seq.last_value, seq.issued_at, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14::jsonb, $15::jsonb,
        coalesce($16::timestamptz, seq.issued_at), $17
      FROM seq
      RETURNING number, sequence, issued_at
    )`;
  // The notification leaves at commit (never on rollback): the worker's document stage renders the invoice then.
  const notify = `pg_notify('${FISCAL_DOCUMENT_ISSUED_CHANNEL}', 'invoice') AS notified`;
  if (!withMessage) return `${numbered} SELECT number, sequence, issued_at, false AS message_written, ${notify} FROM inv`;
  return `${numbered}, msg AS (
      INSERT INTO messages (id, partner_id, environment, type, order_id, body, created_at)
      SELECT $19, $2, $3, $20, $21, replace($22, $18, inv.number), $23 FROM inv
      ON CONFLICT DO NOTHING
      RETURNING id
    ), delivery_rows AS (
      -- Run although nothing reads it: PostgreSQL executes every data-modifying CTE exactly once.
      INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, order_id, status, attempt_count, next_attempt_at, created_at)
      SELECT d.id, msg.id, d.endpoint_id, $2, $24, 'pending', 0, $23, $23
      FROM msg, unnest($25::text[], $26::text[]) WITH ORDINALITY AS d(id, endpoint_id, n)
      ORDER BY d.n
      RETURNING id
    )
    SELECT inv.number, inv.sequence, inv.issued_at, EXISTS (SELECT 1 FROM msg) AS message_written, ${notify} FROM inv`;
}

export function invoiceParams(invoice: Invoice, order: Order, numberStem: string): unknown[] {
  return [
    invoice.id,
    invoice.partnerId,
    invoice.environment,
    invoice.orderId,
    numberStem,
    invoice.fiscalYear,
    invoice.currency,
    invoice.amountTotal,
    invoice.amountExcludingTax,
    invoice.amountTax,
    invoice.locale,
    JSON.stringify(invoice.seller),
    JSON.stringify(invoice.buyer),
    JSON.stringify(invoice.lines),
    JSON.stringify(invoice.terms),
    order.paidAt,
    invoice.paymentMethod,
  ];
}

export function messageParams(message: PreparedMessage): unknown[] {
  return [
    INVOICE_NUMBER_PLACEHOLDER,
    message.messageId,
    message.type,
    message.orderId,
    message.body,
    message.createdAt,
    message.orderingKey,
    message.deliveryIds,
    message.endpointIds,
  ];
}
