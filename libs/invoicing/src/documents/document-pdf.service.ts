import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import type { CreditNote, Invoice, TenantScope } from '@app/database';
import { metrics } from '@app/observability';
import { InvoiceDocument, InvoicePdfRenderer } from '../pdf';
import { DocumentKind, documentPdfUrl } from './document-kind';
import { DocumentRepository, FiscalDocument } from './document.repository';

/**
 * An invoice or a credit note as a PDF (Factur-X), and as the message announcing it to the partner. One path for
 * both kinds: what differs (the preceding invoice, the refund) is read from the document itself.
 */
@Injectable()
export class DocumentPdfService {
  private readonly renderer = new InvoicePdfRenderer();

  constructor(
    private readonly documents: DocumentRepository,
    private readonly config: AppConfig,
  ) {}

  /** Renders a document with what its batch read for it (its partner's logo, its order's reference): pure CPU. */
  async render(kind: DocumentKind, doc: FiscalDocument, logo: Buffer | null, orderReference: string | null): Promise<Buffer> {
    const endTimer = metrics.pdfRenderSeconds.startTimer();
    const pdf = await this.renderer.render({ ...this.documentOf(kind, doc, logo), orderReference: kind.name === 'invoice' ? orderReference : null });
    endTimer();
    metrics.pdfRendered.inc();
    return pdf;
  }

  /** The PDF of a document of the scope, once stored (null before, or if it is not the scope's). */
  pdfOf(scope: TenantScope, kind: DocumentKind, id: string): Promise<Buffer | null> {
    return this.documents.pdfOf(scope, kind, id);
  }

  documentOf(kind: DocumentKind, doc: FiscalDocument, logo: Buffer | null = null): InvoiceDocument {
    const common = {
      number: doc.number,
      environment: doc.environment,
      locale: doc.locale,
      currency: doc.currency,
      issuedAt: doc.issuedAt,
      paymentMethod: doc.paymentMethod,
      platformName: this.config.platformName,
      seller: doc.seller,
      buyer: doc.buyer,
      lines: doc.lines,
      terms: doc.terms,
      logo,
    };
    if (kind.name === 'invoice') {
      const invoice = doc as Invoice;
      return { ...common, kind: 'invoice', paidAt: invoice.paidAt, saleDate: invoice.paidAt };
    }
    const cn = doc as CreditNote;
    return { ...common, kind: 'credit_note', paidAt: cn.refundedAt, saleDate: null, precedingInvoice: { number: cn.invoiceNumber, issued_at: cn.invoiceIssuedAt } };
  }

  /** The body of `invoice.issued` / `credit_note.issued`. */
  announcementOf(kind: DocumentKind, doc: FiscalDocument): object {
    const common = {
      id: doc.id,
      number: doc.number,
      order_id: doc.orderId,
      amount_total: doc.amountTotal,
      currency: doc.currency,
      pdf_url: documentPdfUrl(this.config.publicBaseUrl, kind, doc.id),
      issued_at: doc.issuedAt.toISOString(),
    };
    if (kind.name === 'invoice') return common;
    const cn = doc as CreditNote;
    return {
      ...common,
      invoice: { id: cn.invoiceId, number: cn.invoiceNumber },
      amount_excluding_tax: cn.amountExcludingTax,
      amount_tax: cn.amountTax,
      stripe_refund_id: cn.stripeRefundId,
    };
  }
}
