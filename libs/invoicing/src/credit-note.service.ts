import { Injectable } from '@nestjs/common';
import { CreditNote, Invoice, newId, Order, OrderLine, Partner, TenantScope, Tx } from '@app/database';
import { DocumentIssueRepository } from './document-issue.repository';
import { CREDIT_NOTE } from './documents/document-kind';
import { allocate } from './invoice-figures';
import { formatDocumentNumber } from './invoice-number';
import { computeInvoiceTotals } from './invoice-totals';
import { formatVatRate } from './pdf/format';
import { sellerOf } from './invoice.service';

/** What a credit note needs to know about one Stripe refund. */
export interface RefundFacts {
  id: string;
  /** Minor units, VAT included: what goes back to the customer. */
  amount: number;
  refundedAt: Date;
  reason: string | null;
}

export type CreditNoteOutcome = { creditNote: CreditNote; created: boolean } | { refused: string };

@Injectable()
export class CreditNoteService {
  constructor(private readonly issues: DocumentIssueRepository) {}

  /**
   * Issues the credit note of one refund inside the caller's transaction,
   * which must hold the order's row lock: that lock serialises every event
   * about the order, so "already credited?" then insert is safe, and the
   * series row lock (like invoices) keeps the series gapless.
   * Idempotent on the Stripe refund id.
   */
  async issueForRefund(tx: Tx, scope: TenantScope, order: Order, invoice: Invoice, partner: Partner, refund: RefundFacts): Promise<CreditNoteOutcome> {
    const existing = await this.issues.creditNoteOfRefund(tx, scope, refund.id);
    if (existing) return { creditNote: existing, created: false };
    const previous = await this.issues.creditNotesOfOrder(tx, scope, order.id);
    const lines = this.linesFor(invoice, previous, refund.amount);
    if ('refused' in lines) return lines;

    const { fiscalYear: year, sequence, issuedAt } = await this.issues.nextInSeries(tx, scope, 'credit_note');
    const totals = computeInvoiceTotals(lines.lines, { pricesIncludeTax: lines.pricesIncludeTax });
    if (totals.including_tax !== refund.amount) {
      throw new Error(`Refund ${refund.id}: credit note lines total ${totals.including_tax} but ${refund.amount} was refunded`);
    }
    const creditNote: CreditNote = {
      id: newId('cn'),
      partnerId: partner.id,
      environment: order.environment,
      orderId: order.id,
      invoiceId: invoice.id,
      stripeRefundId: refund.id,
      number: formatDocumentNumber(CREDIT_NOTE, partner.invoicePrefix, order.environment, year, sequence),
      fiscalYear: year,
      sequence,
      issuedAt,
      refundedAt: refund.refundedAt,
      currency: invoice.currency,
      amountTotal: totals.including_tax,
      amountExcludingTax: totals.excluding_tax,
      amountTax: totals.tax,
      locale: invoice.locale,
      // The seller as it is today (a credit note is a new document), the buyer as invoiced.
      seller: sellerOf(partner),
      buyer: invoice.buyer,
      lines: lines.lines,
      terms: { ...invoice.terms, prices_include_tax: lines.pricesIncludeTax },
      invoiceNumber: invoice.number,
      invoiceIssuedAt: invoice.issuedAt,
      paymentMethod: invoice.paymentMethod,
      reason: refund.reason,
      pdfRenderedAt: null,
      emailedAt: null,
      emailError: null,
    };
    await this.issues.insertCreditNote(tx, scope, creditNote);
    return { creditNote, created: true };
  }

  /**
   * A first refund of the whole amount repeats the invoice's lines. Otherwise
   * the refund is spread over the VAT rates in proportion to what is still
   * unrefunded at each rate, and the refund that empties the invoice takes
   * exactly what is left: the credit notes of an order add up, per rate, to
   * its invoice.
   */
  private linesFor(invoice: Invoice, previous: CreditNote[], amount: number): { lines: OrderLine[]; pricesIncludeTax: boolean } | { refused: string } {
    const pricesIncludeTax = invoice.terms?.prices_include_tax ?? true;
    if (previous.length === 0 && amount === invoice.amountTotal) return { lines: invoice.lines, pricesIncludeTax };
    const remaining = new Map<number, number>();
    for (const r of computeInvoiceTotals(invoice.lines, { pricesIncludeTax }).by_rate) remaining.set(r.rate, r.total);
    for (const cn of previous) {
      for (const r of computeInvoiceTotals(cn.lines, { pricesIncludeTax: cn.terms?.prices_include_tax ?? true }).by_rate) {
        remaining.set(r.rate, (remaining.get(r.rate) ?? 0) - r.total);
      }
    }
    const rates = [...remaining.keys()];
    const left = rates.reduce((sum, rate) => sum + Math.max(0, remaining.get(rate)!), 0);
    if (amount > left) return { refused: `refund of ${amount} exceeds the ${left} not yet credited on invoice ${invoice.number}` };
    const shares = allocate(BigInt(amount), rates.map((rate) => BigInt(Math.max(0, remaining.get(rate)!))));
    const partial = amount < invoice.amountTotal;
    const lines = rates
      .map((rate, i) => ({ rate, share: Number(shares[i]) }))
      .filter(({ share }) => share > 0)
      .map(({ rate, share }) => ({
        name: refundLineName(invoice, rate, partial),
        quantity: 1,
        unit_amount: share,
        vat_rate: rate,
        amount_total: share,
      }));
    return { lines, pricesIncludeTax: true };
  }
}

function refundLineName(invoice: Invoice, rate: number, partial: boolean): string {
  const vat = formatVatRate(rate, invoice.locale);
  if (invoice.locale === 'en') return `${partial ? 'Partial refund' : 'Refund'} of invoice ${invoice.number} (VAT ${vat})`;
  return `${partial ? 'Remboursement partiel' : 'Remboursement'} de la facture ${invoice.number} (TVA ${vat})`;
}
