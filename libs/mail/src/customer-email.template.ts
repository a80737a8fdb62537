import type { Locale } from '@app/database';
import { customerEmailLabels } from './customer-email.labels';
import { escapeHtml } from './html-template';

export const CUSTOMER_EMAIL_KEYS = [
  'subject', 'preview', 'logo', 'sellerName', 'title', 'hello', 'intro', 'meta', 'lines', 'vatRows',
  'excludingTax', 'includingTax', 'paid', 'attached', 'mandate', 'contact', 'notes',
] as const;
export type CustomerEmailKey = (typeof CUSTOMER_EMAIL_KEYS)[number];

/** Colours chosen for contrast (WCAG AA or better on their background), light and dark. */
export const EMAIL_STYLE = `
  <mj-attributes>
    <mj-all font-family="-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif" />
    <mj-text font-size="15px" line-height="1.5" color="#1f2933" padding="6px 24px" />
    <mj-table font-size="14px" line-height="1.4" color="#1f2933" padding="6px 24px" />
  </mj-attributes>
  <mj-style>
    :root { color-scheme: light dark; supported-color-schemes: light dark; }
    .amount { white-space: nowrap; text-align: right; vertical-align: top; }
    .name { word-break: break-word; overflow-wrap: anywhere; }
    @media (prefers-color-scheme: dark) {
      .page, body { background: #111827 !important; }
      .card, .card > table { background: #1f2937 !important; }
      .card div, .card td, .card th, .card p, .card span { color: #f3f4f6 !important; }
      .card .muted, .card .muted div { color: #d1d5db !important; }
      .card a { color: #93c5fd !important; }
      .card td, .card th { border-color: #4b5563 !important; }
      .staging, .staging > table { background: #b91c1c !important; }
      .staging div { color: #ffffff !important; }
    }
  </mj-style>`;

export function stagingBanner(mark: string, explained: string): string {
  return `
    <mj-section css-class="staging" background-color="#b91c1c" padding="10px 0">
      <mj-column>
        <mj-text color="#ffffff" font-weight="bold" align="center" font-size="16px">${escapeHtml(mark)}</mj-text>
        <mj-text color="#ffffff" align="center" font-size="14px">${escapeHtml(explained)}</mj-text>
      </mj-column>
    </mj-section>`;
}

/**
 * The customer's invoice or credit note email in one language, with or without the staging mark. Two-column
 * tables only (name | amount), so the lines fit a 390 px phone; the logo is a CID part, the rest is text.
 */
export function customerEmailMjml(locale: Locale, staging: boolean): string {
  const l = customerEmailLabels(locale);
  const th = 'style="text-align:left;padding:6px 0;border-bottom:2px solid #9aa5b1;font-size:13px"';
  return emailDocument(locale, `
    ${staging ? stagingBanner(l.stagingMark, l.stagingExplained) : ''}
    <mj-section css-class="card" background-color="#ffffff" padding="20px 0">
      <mj-column>
        <mj-text padding="6px 24px 2px">{{logo}}<div style="font-size:17px;font-weight:bold">{{sellerName}}</div></mj-text>
        <mj-text font-size="22px" font-weight="bold" padding="14px 24px 4px"><h1 style="font-size:22px;margin:0">{{title}}</h1></mj-text>
        <mj-text css-class="muted" color="#4b5563" font-size="14px">{{meta}}</mj-text>
        <mj-text padding="12px 24px 6px">{{hello}}<br />{{intro}}</mj-text>
        <mj-table>
          <tr><th scope="col" ${th}>${escapeHtml(l.columns.description)}</th><th scope="col" class="amount" ${th.replace('text-align:left', 'text-align:right')}>${escapeHtml(l.columns.amount)}</th></tr>
          {{lines}}
        </mj-table>
        <mj-table>
          <tr><td style="padding:4px 0">${escapeHtml(l.totals.excludingTax)}</td><td class="amount" style="padding:4px 0;text-align:right">{{excludingTax}}</td></tr>
          {{vatRows}}
          <tr><td style="padding:8px 0;border-top:2px solid #1f2933;font-weight:bold;font-size:16px">${escapeHtml(l.totals.includingTax)}</td><td class="amount" style="padding:8px 0;border-top:2px solid #1f2933;text-align:right;font-weight:bold;font-size:16px">{{includingTax}}</td></tr>
        </mj-table>
        <mj-text font-weight="bold" color="#166534" css-class="paid">{{paid}}</mj-text>
        <mj-text>{{attached}}</mj-text>
        <mj-divider border-width="1px" border-color="#9aa5b1" padding="12px 24px" />
        <mj-text css-class="muted" color="#4b5563" font-size="13px">{{notes}}{{mandate}}<br />${escapeHtml(l.questions)} ${escapeHtml(l.orWriteTo)} <a href="mailto:{{contact}}" style="color:#1d4ed8">{{contact}}</a>.</mj-text>
      </mj-column>
    </mj-section>`);
}

/** The frame every email of ours shares: language, subject as title, inbox preview, the house style, the page. */
export function emailDocument(lang: string, body: string): string {
  return `<mjml lang="${lang}" dir="ltr">
  <mj-head>
    <mj-title>{{subject}}</mj-title>
    <mj-preview>{{preview}}</mj-preview>
    ${EMAIL_STYLE}
  </mj-head>
  <mj-body background-color="#f3f4f6" css-class="page" width="600px">${body}
  </mj-body>
</mjml>`;
}
