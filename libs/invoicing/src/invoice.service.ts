import { Injectable } from '@nestjs/common';
import { Invoice, InvoiceBuyer, InvoiceSeller, InvoiceTerms, newId, Order, Partner, TenantScope, Tx } from '@app/database';
import type { PreparedMessage } from '@app/webhooks';
import { DocumentIssueRepository } from './document-issue.repository';
import { computeInvoiceTotals } from './invoice-totals';
import { fiscalYearOf, invoiceNumberStem } from './invoice-number';

export { INVOICE_NUMBER_PLACEHOLDER } from './document-issue.repository';

export interface IssuedInvoice {
  invoice: Invoice;
}

@Injectable()
export class InvoiceService {
  constructor(private readonly issues: DocumentIssueRepository) {}

  /**
   * Issues the invoice of a paid order inside the caller's transaction. The
   * sequence row stays locked until that transaction ends, and a rollback
   * gives the number back: the series has no gap and no duplicate.
   * Idempotent: an order that already has its invoice gets it back.
   */
  async issueForOrder(tx: Tx, scope: TenantScope, order: Order, partner: Partner, paymentMethod: string | null): Promise<Invoice> {
    return (await this.issueAndAnnounce(tx, scope, order, partner, paymentMethod, newId('inv'), null)).invoice;
  }

  /**
   * Issues the invoice and writes `message` (whose body may hold INVOICE_NUMBER_PLACEHOLDER) in ONE statement: the
   * number, the invoice, the message and its deliveries (see DocumentIssueRepository.issueInvoice for why one).
   */
  async issueAndAnnounce(tx: Tx, scope: TenantScope, order: Order, partner: Partner, paymentMethod: string | null, invoiceId: string, message: PreparedMessage | null): Promise<IssuedInvoice> {
    const totals = computeInvoiceTotals(order.lineItems, { pricesIncludeTax: order.pricesIncludeTax });
    if (totals.including_tax !== order.amountTotal) {
      const existing = await this.issues.invoiceOfOrder(tx, scope, order.id);
      if (existing) return { invoice: existing };
      // Never issue an invoice whose total differs from what was charged.
      throw new Error(`Order ${order.id}: lines total ${totals.including_tax} but ${order.amountTotal} was charged`);
    }
    const fiscalYear = fiscalYearOf(new Date());
    const invoice: Invoice = {
      id: invoiceId,
      partnerId: partner.id,
      environment: order.environment,
      orderId: order.id,
      number: '',
      fiscalYear,
      sequence: 0,
      issuedAt: new Date(0),
      currency: order.currency,
      amountTotal: totals.including_tax,
      amountExcludingTax: totals.excluding_tax,
      amountTax: totals.tax,
      locale: order.locale,
      seller: sellerOf(partner),
      buyer: buyerOf(order),
      lines: order.lineItems,
      terms: termsOf(partner, order.pricesIncludeTax),
      paidAt: order.paidAt ?? new Date(0),
      paymentMethod,
      pdfRenderedAt: null,
      emailedAt: null,
      emailError: null,
    };
    const numberStem = invoiceNumberStem(partner.invoicePrefix, scope.environment, fiscalYear);
    // "Invoiced already?" is asked by the numbering statement itself: one round trip under the partner's number lock.
    const numbered = await this.issues.issueInvoice(tx, scope, invoice, numberStem, order.paidAt, message);
    if (!numbered) {
      const existing = await this.issues.invoiceOfOrder(tx, scope, order.id);
      if (!existing) throw new Error(`Order ${order.id}: no invoice issued and none found`);
      return { invoice: existing };
    }
    const { number, slot } = numbered;
    invoice.number = number;
    invoice.sequence = slot.sequence;
    invoice.issuedAt = slot.issuedAt;
    invoice.paidAt = order.paidAt ?? slot.issuedAt;
    return { invoice };
  }
}

/** The seller as printed: frozen on the invoice so a later edit of the partner never changes it. */
export function sellerOf(partner: Partner): InvoiceSeller {
  return {
    legal_name: partner.legalName,
    address: partner.address,
    siren: partner.siren,
    vat_number: partner.vatNumber,
    email: partner.email,
    legal_form: partner.legalForm ?? null,
    share_capital: partner.shareCapital ?? null,
    rcs_city: partner.rcsCity ?? null,
    siret: partner.siret ?? null,
  };
}

/** A buyer who gave a company name, VAT number or SIREN is a business: the invoice then carries the B2B mentions. */
export function buyerOf(order: Order): InvoiceBuyer {
  const b = order.buyer ?? {};
  const business = Boolean(b.company_name || b.vat_number || b.siren);
  return {
    name: (business ? b.company_name : null) ?? order.customerName,
    email: order.customerEmail,
    address: b.address ?? null,
    business,
    contact_name: business ? order.customerName : null,
    vat_number: b.vat_number ?? null,
    siren: b.siren ?? null,
  };
}

export function termsOf(partner: Partner, pricesIncludeTax: boolean): InvoiceTerms {
  return {
    prices_include_tax: pricesIncludeTax,
    late_penalty_rate: partner.latePenaltyRate ?? null,
    vat_exemption_text: partner.vatExemptionText ?? null,
  };
}
