import type { InvoiceTotals } from '../invoice-totals';
import { formatDate, formatMoney, formatVatRate } from './format';
import type { InvoiceDocument } from './invoice-document';
import { invoiceLabels } from './invoice-labels';

/** A mention with its UNTDID 4451 subject code, so the XML notes and the printed ones are the same list. */
export interface LegalMention {
  code: 'REG' | 'ABL' | 'PMD' | 'PMT' | 'AAB' | 'AAI';
  text: string;
}

/** Fixed by art. D441-5 of the Code de commerce, in euros, for business buyers. */
export const RECOVERY_INDEMNITY_EUR_CENTS = 4000;

/**
 * The legal mentions of a French invoice beyond the figures: billing mandate
 * (art. 242 nonies A, annex II CGI), the seller's legal form, capital and
 * registry, and for business buyers the late-payment terms (art. L441-9 Code
 * de commerce), plus the VAT exemption wording when a line carries 0 %.
 */
export function legalMentions(doc: InvoiceDocument, totals: InvoiceTotals): LegalMention[] {
  const labels = invoiceLabels(doc.locale);
  const { seller } = doc;
  const mentions: LegalMention[] = [];
  const mandate = doc.kind === 'credit_note' ? labels.creditMandate : labels.mandate;
  mentions.push({ code: 'REG', text: mandate(doc.platformName, seller.legal_name) });
  if (doc.precedingInvoice) {
    mentions.push({ code: 'AAI', text: labels.creditNoteFor(doc.precedingInvoice.number, formatDate(doc.precedingInvoice.issued_at, doc.locale)) });
  }
  const capital = seller.share_capital != null ? formatMoney(seller.share_capital, doc.currency, doc.locale) : null;
  const legal = [
    seller.legal_form || capital ? labels.shareCapital(seller.legal_form ?? null, capital) : null,
    seller.rcs_city ? labels.rcs(seller.rcs_city, seller.siren) : null,
  ].filter(Boolean);
  if (legal.length) mentions.push({ code: 'ABL', text: legal.join(' – ') });
  if (totals.by_rate.some((r) => r.rate === 0)) {
    mentions.push({ code: 'AAI', text: doc.terms?.vat_exemption_text || labels.vatNotApplicable });
  }
  if (doc.buyer.business && doc.kind === 'invoice') {
    const rate = doc.terms?.late_penalty_rate;
    mentions.push({ code: 'PMD', text: labels.latePenalties(rate != null ? formatVatRate(rate, doc.locale) : null) });
    mentions.push({ code: 'PMT', text: labels.recoveryIndemnity(formatMoney(RECOVERY_INDEMNITY_EUR_CENTS, 'eur', doc.locale)) });
    mentions.push({ code: 'AAB', text: labels.noEarlyPaymentDiscount });
  }
  return mentions;
}
