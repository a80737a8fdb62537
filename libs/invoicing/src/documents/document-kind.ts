import type { PartnerEventType } from '@app/webhooks';

/**
 * Invoices and credit notes go through the same pipeline (number, figures, PDF, storage, announcement, email);
 * what differs between them is data, held here, not a second service.
 */
export interface DocumentKind {
  readonly name: 'invoice' | 'credit_note';
  /** The documents' table, and the table of their PDFs with its key column. */
  readonly table: 'invoices' | 'credit_notes';
  readonly pdfTable: 'invoice_pdfs' | 'credit_note_pdfs';
  readonly pdfKey: 'invoice_id' | 'credit_note_id';
  /** Between the partner's prefix and the year in the number (`ATL-AV-2026-000003`). */
  readonly numberInfix: '' | 'AV-';
  /** What tells the partner the document exists, once its PDF is stored. */
  readonly eventType: Extract<PartnerEventType, 'invoice.issued' | 'credit_note.issued'>;
  /** Path of its PDF in the partner API. */
  readonly apiPath: 'invoices' | 'credit-notes';
  /** The word logs and errors use. */
  readonly label: string;
}

export const INVOICE: DocumentKind = {
  name: 'invoice',
  table: 'invoices',
  pdfTable: 'invoice_pdfs',
  pdfKey: 'invoice_id',
  numberInfix: '',
  eventType: 'invoice.issued',
  apiPath: 'invoices',
  label: 'invoice',
};

export const CREDIT_NOTE: DocumentKind = {
  name: 'credit_note',
  table: 'credit_notes',
  pdfTable: 'credit_note_pdfs',
  pdfKey: 'credit_note_id',
  numberInfix: 'AV-',
  eventType: 'credit_note.issued',
  apiPath: 'credit-notes',
  label: 'credit note',
};

export const DOCUMENT_KINDS: readonly DocumentKind[] = [INVOICE, CREDIT_NOTE];

/**
 * PostgreSQL channel the statement (or transaction) issuing a document notifies, so the worker's document stage
 * starts on it at commit instead of at its next poll.
 */
export const FISCAL_DOCUMENT_ISSUED_CHANNEL = 'fiscal_document_issued';

/** Public URL of a document's PDF in the partner API. */
export function documentPdfUrl(publicBaseUrl: string, kind: DocumentKind, id: string): string {
  return `${publicBaseUrl}/v1/${kind.apiPath}/${id}/pdf`;
}

/** Public URL of a credit note's PDF in the partner API. */
export function creditNotePdfUrl(publicBaseUrl: string, creditNoteId: string): string {
  return documentPdfUrl(publicBaseUrl, CREDIT_NOTE, creditNoteId);
}
