import { Injectable } from '@nestjs/common';
import { Invoice, InvoiceBuyer, InvoiceSeller, InvoiceTerms, newId, Order, Partner, TenantScope, Tx } from '@app/database';
import type { PreparedMessage } from '@app/webhooks';
import { DocumentIssueRepository, InvoiceToIssue } from './document-issue.repository';
import { computeInvoiceTotals } from './invoice-totals';
import { fiscalYearOf, invoiceNumberStem } from './invoice-number';

export { INVOICE_NUMBER_PLACEHOLDER } from './document-issue.repository';

export interface IssuedInvoice {
  invoice: Invoice;
}

/** A paid order to invoice under `invoiceId`, announced by `message` (or not). */
export interface InvoiceRequest {
  order: Order;
  paymentMethod: string | null;
  invoiceId: string;
  message: PreparedMessage | null;
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
    const [issued] = await this.issueAndAnnounceAll(tx, scope, partner, [{ order, paymentMethod, invoiceId: newId('inv'), message: null }]);
    return issued.invoice;
  }

  /**
   * Issues the invoices of several paid orders of the scope's partner (`partner`), numbered in the order given, and
   * writes each one's `message` (whose body may hold INVOICE_NUMBER_PLACEHOLDER), in ONE statement: the numbers, the
   * invoices, the messages and their deliveries (see DocumentIssueRepository.issueInvoices), so the partner's number
   * lock is held for that statement and the commit, whatever their count. Results in the requests' order.
   */
  async issueAndAnnounceAll(tx: Tx, scope: TenantScope, partner: Partner, requests: InvoiceRequest[]): Promise<IssuedInvoice[]> {
    const fiscalYear = fiscalYearOf(new Date());
    const results = new Array<IssuedInvoice | undefined>(requests.length);
    const toIssue: { at: number; item: InvoiceToIssue }[] = [];
    for (const [at, { order, paymentMethod, invoiceId, message }] of requests.entries()) {
      const totals = computeInvoiceTotals(order.lineItems, { pricesIncludeTax: order.pricesIncludeTax });
      if (totals.including_tax !== order.amountTotal) {
        const existing = await this.issues.invoiceOfOrder(tx, scope, order.id);
        if (existing) {
          results[at] = { invoice: existing };
          continue;
        }
        // Never issue an invoice whose total differs from what was charged.
        throw new Error(`Order ${order.id}: lines total ${totals.including_tax} but ${order.amountTotal} was charged`);
      }
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
      toIssue.push({ at, item: { invoice, paidAt: order.paidAt, message } });
    }
    if (toIssue.length > 0) {
      const numberStem = invoiceNumberStem(partner.invoicePrefix, scope.environment, fiscalYear);
      // "Invoiced already?" is asked by the numbering statement itself: one round trip under the partner's number lock.
      const numbered = await this.issues.issueInvoices(tx, scope, fiscalYear, numberStem, toIssue.map((t) => t.item));
      for (const { at, item } of toIssue) {
        const { invoice, paidAt } = item;
        const got = numbered.get(invoice.id);
        if (!got) {
          const existing = await this.issues.invoiceOfOrder(tx, scope, invoice.orderId);
          if (!existing) throw new Error(`Order ${invoice.orderId}: no invoice issued and none found`);
          results[at] = { invoice: existing };
          continue;
        }
        invoice.number = got.number;
        invoice.sequence = got.slot.sequence;
        invoice.issuedAt = got.slot.issuedAt;
        invoice.paidAt = paidAt ?? got.slot.issuedAt;
        results[at] = { invoice };
      }
    }
    return results as IssuedInvoice[];
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
