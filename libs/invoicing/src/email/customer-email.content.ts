import type { CreditNote, Invoice } from '@app/database';
import { customerEmailLabels, customerEmailTemplate, escapeHtml, paymentMethodWords, SafeHtml } from '@app/mail';
import { invoiceFigures } from '../invoice-figures';
import { formatDate, formatMoney, formatQuantity, formatUnitPrice, formatVatRate } from './mail-format';

export type CustomerDocument = { kind: 'invoice'; invoice: Invoice } | { kind: 'credit_note'; creditNote: CreditNote };

export interface InlineLogo {
  content: Buffer;
  contentType: string;
}

export interface CustomerEmailContent {
  subject: string;
  text: string;
  /** Filled on access (tests, previews); the message itself carries `htmlPart`. */
  html: string;
  /** The same HTML as a MIME part, already in quoted-printable (nodemailer's `raw`). */
  htmlPart: string;
  /** The logo as a related part (`cid:`), when there is one small enough to inline. */
  attachments: { filename: string; content: Buffer; contentType: string; cid: string; contentDisposition: 'inline' }[];
}

/** The partner's logo travels inside the email (no remote image); a larger one is left out, its name shows. */
export const MAX_INLINE_LOGO_BYTES = 100 * 1024;
export const LOGO_CID = 'partner-logo@comptappart';

/**
 * What the customer receives with an invoice or credit note, as HTML and as text, in the order's language.
 * Every amount comes from `invoiceFigures`, the function the PDF is drawn from, so the email and the
 * attached document cannot disagree.
 */
export function customerEmailContent(source: CustomerDocument, platformName: string, logo: InlineLogo | null = null): CustomerEmailContent {
  const doc = source.kind === 'invoice' ? source.invoice : source.creditNote;
  const kind = source.kind;
  const locale = doc.locale === 'en' ? 'en' : 'fr';
  const l = customerEmailLabels(locale);
  const staging = doc.environment === 'staging';
  const money = (amount: number) => formatMoney(amount, doc.currency, locale);
  const figures = invoiceFigures(doc.lines, doc.terms?.prices_include_tax ?? true);
  const { totals } = figures;
  const seller = doc.seller.legal_name;
  const buyerName = doc.buyer.business && doc.buyer.contact_name ? doc.buyer.contact_name : doc.buyer.name;
  const filename = `${doc.number}.pdf`;

  const subject = `${staging ? '[TEST] ' : ''}${l.subject(kind, doc.number, seller)}`;
  const title = l.title(kind, doc.number);
  const hello = l.hello(buyerName);
  const intro = l.intro(kind, money(totals.including_tax));
  const meta = [l.issuedOn(formatDate(doc.issuedAt, locale))];
  if (source.kind === 'credit_note') meta.push(l.creditNoteFor(source.creditNote.invoiceNumber, formatDate(source.creditNote.invoiceIssuedAt, locale)));
  const paidAt = source.kind === 'invoice' ? source.invoice.paidAt : source.creditNote.refundedAt;
  const paid = l.paid(kind, formatDate(paidAt, locale), paymentMethodWords(l, doc.paymentMethod));
  const attached = l.attached(kind, filename);
  const mandate = l.mandate(kind, platformName, seller);
  const exemption = doc.terms?.vat_exemption_text ?? null;

  const lines = figures.lines.map((line) => ({
    name: line.name,
    detail: l.lineDetail(formatQuantity(line.quantity, locale), formatUnitPrice(line.unit_net, doc.currency, locale), formatVatRate(line.vat_rate, locale)),
    amount: money(line.net_amount),
  }));
  const vat = totals.by_rate.map((r) => ({ label: l.vatOn(formatVatRate(r.rate, locale), money(r.base)), amount: money(r.tax) }));

  const cell = 'padding:8px 0;border-bottom:1px solid #d2d6dc';
  let lineRows = '';
  for (const line of lines) {
    lineRows +=
      `<tr><td class="name" style="${cell}"><div style="font-weight:bold">${escapeHtml(line.name)}</div>` +
      `<div class="muted" style="color:#4b5563;font-size:13px">${escapeHtml(line.detail)}</div></td>` +
      `<td class="amount" style="${cell};text-align:right;white-space:nowrap;vertical-align:top">${escapeHtml(line.amount)}</td></tr>`;
  }
  let vatRows = '';
  for (const v of vat) {
    vatRows += `<tr><td style="padding:4px 0">${escapeHtml(v.label)}</td><td class="amount" style="padding:4px 0;text-align:right;white-space:nowrap">${escapeHtml(v.amount)}</td></tr>`;
  }
  const inline = logo && logo.content.length <= MAX_INLINE_LOGO_BYTES ? logo : null;
  const logoTag = inline
    ? `<img src="cid:${LOGO_CID}" alt="${escapeHtml(seller)}" height="48" style="display:block;height:48px;width:auto;max-width:100%;border:0;margin-bottom:6px">`
    : '';

  const template = customerEmailTemplate(locale, staging);
  const values = {
    subject,
    preview: `${title} · ${money(totals.including_tax)}`,
    logo: new SafeHtml(logoTag),
    sellerName: seller,
    title,
    hello,
    intro,
    meta: new SafeHtml(meta.map(escapeHtml).join('<br />')),
    lines: new SafeHtml(lineRows),
    vatRows: new SafeHtml(vatRows),
    excludingTax: money(totals.excluding_tax),
    includingTax: money(totals.including_tax),
    paid,
    attached,
    mandate,
    contact: doc.seller.email,
    notes: new SafeHtml(exemption ? `${escapeHtml(exemption)}<br />` : ''),
  };

  const text = [
    ...(staging ? [`*** ${l.stagingMark} ***`, l.stagingExplained, ''] : []),
    hello,
    '',
    intro,
    '',
    `${title} — ${seller}`,
    ...meta,
    '',
    ...lines.map((line) => `- ${line.name}: ${line.detail} = ${line.amount}`),
    '',
    l.field(l.totals.excludingTax, money(totals.excluding_tax)),
    ...vat.map((v) => l.field(v.label, v.amount)),
    l.field(l.totals.includingTax, money(totals.including_tax)),
    '',
    paid,
    attached,
    '',
    ...(exemption ? [exemption] : []),
    mandate,
    `${l.questions} ${l.orWriteTo} ${doc.seller.email}.`,
  ].join('\n');

  return {
    subject,
    text,
    get html() {
      return template.fill(values);
    },
    htmlPart: template.fillMimePart(values),
    attachments: inline ? [{ filename: `logo.${inline.contentType === 'image/jpeg' ? 'jpg' : 'png'}`, content: inline.content, contentType: inline.contentType, cid: LOGO_CID, contentDisposition: 'inline' }] : [],
  };
}
