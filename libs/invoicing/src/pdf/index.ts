export * from './invoice-document';
export type { InvoiceLocale } from './invoice-labels';
export * from './invoice-pdf.renderer';
export * from './legal-mentions';
