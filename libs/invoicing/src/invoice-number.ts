import type { Environment } from '@app/database';
import type { DocumentKind } from './documents/document-kind';

// Built once: creating an Intl formatter costs far more than using one (it showed in the worker's profile).
const PARIS_YEAR = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Paris', year: 'numeric' });

/** Invoices are dated in France: the fiscal year turns at midnight in Paris, not UTC. */
export function fiscalYearOf(date: Date): number {
  return Number(PARIS_YEAR.format(date));
}

/**
 * `{prefix}-{YYYY}-{000042}`; staging numbers start with `TEST-` and come from
 * their own series, so test invoices never consume the legal sequence.
 */
export function formatInvoiceNumber(prefix: string, environment: Environment, year: number, sequence: number): string {
  return `${invoiceNumberStem(prefix, environment, year)}${String(sequence).padStart(6, '0')}`;
}

/** The number of either kind: the kind's infix after the prefix (`ATL-AV-2026-000003` for a credit note). */
export function formatDocumentNumber(kind: DocumentKind, prefix: string, environment: Environment, year: number, sequence: number): string {
  return `${invoiceNumberStem(prefix, environment, year, kind.numberInfix)}${String(sequence).padStart(6, '0')}`;
}

/** Everything before the sequence (`TEST-ATL-2026-`). */
export function invoiceNumberStem(prefix: string, environment: Environment, year: number, infix = ''): string {
  return `${environment === 'staging' ? 'TEST-' : ''}${prefix}-${infix}${year}-`;
}

/** formatInvoiceNumber in SQL, for the statement that numbers and inserts an invoice at once (same padding rule). */
export function invoiceNumberSql(stem: string, sequence: string): string {
  return `${stem} || CASE WHEN length(${sequence}::text) < 6 THEN lpad(${sequence}::text, 6, '0') ELSE ${sequence}::text END`;
}
