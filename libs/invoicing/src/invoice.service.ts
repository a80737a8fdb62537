import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Invoice, InvoiceBuyer, InvoiceSeller, InvoiceTerms, newId, Order, Partner } from '@app/database';
import { computeInvoiceTotals } from './invoice-totals';
import { nextInSeries } from './document-sequence';
import { formatInvoiceNumber } from './invoice-number';

@Injectable()
export class InvoiceService {
  /**
   * Issues the invoice of a paid order inside the caller's transaction. The
   * sequence row stays locked until that transaction ends, and a rollback
   * gives the number back: the series has no gap and no duplicate.
   * Idempotent: an order that already has its invoice gets it back.
   */
  async issueForOrder(tx: EntityManager, order: Order, partner: Partner, paymentMethod: string | null): Promise<Invoice> {
    const existing = await tx.findOneBy(Invoice, { orderId: order.id });
    if (existing) return existing;
    const { fiscalYear: year, sequence, issuedAt } = await nextInSeries(tx, partner.id, order.environment, 'invoice');
    const totals = computeInvoiceTotals(order.lineItems, { pricesIncludeTax: order.pricesIncludeTax });
    if (totals.including_tax !== order.amountTotal) {
      // Never issue an invoice whose total differs from what was charged.
      throw new Error(`Order ${order.id}: lines total ${totals.including_tax} but ${order.amountTotal} was charged`);
    }
    const invoice = tx.create(Invoice, {
      id: newId('inv'),
      partnerId: partner.id,
      environment: order.environment,
      orderId: order.id,
      number: formatInvoiceNumber(partner.invoicePrefix, order.environment, year, sequence),
      fiscalYear: year,
      sequence,
      issuedAt,
      currency: order.currency,
      amountTotal: totals.including_tax,
      amountExcludingTax: totals.excluding_tax,
      amountTax: totals.tax,
      locale: order.locale,
      seller: sellerOf(partner),
      buyer: buyerOf(order),
      lines: order.lineItems,
      terms: termsOf(partner, order.pricesIncludeTax),
      paidAt: order.paidAt ?? issuedAt,
      paymentMethod,
      pdfRenderedAt: null,
      emailedAt: null,
      emailError: null,
    });
    await tx.insert(Invoice, invoice);
    return invoice;
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
