import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import type { CreditNote, Invoice, TenantScope } from '@app/database';
import { metrics } from '@app/observability';
import { InvoiceDocument, InvoicePdfRenderer } from '../pdf';
import { RenderThreads } from '../pdf/render-threads';
import { DocumentKind, documentPdfUrl } from './document-kind';
import { DocumentRepository, FiscalDocument } from './document.repository';

/**
 * An invoice or a credit note as a PDF (Factur-X), and as the message announcing it to the partner. One path for
 * both kinds: what differs (the preceding invoice, the refund) is read from the document itself.
 */
@Injectable()
export class DocumentPdfService implements OnApplicationShutdown {
  /** Off the event loop (PDF_RENDER_THREADS > 0), or here, one render at a time. */
  readonly threads: RenderThreads | null;
  private readonly renderer: InvoicePdfRenderer | null;
  private inline: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly documents: DocumentRepository,
    private readonly config: AppConfig,
  ) {
    this.threads = config.pdfRenderThreads > 0 ? new RenderThreads(config.pdfRenderThreads) : null;
    this.renderer = this.threads ? null : new InvoicePdfRenderer();
  }

  /**
   * Renders a document with what its batch read for it (its partner's logo, its order's reference): pure CPU, in a
   * render thread. Callers may ask for many at once; they queue in the threads, and `pdf_render_seconds` counts the
   * wait. Rejects when the render fails, or when its thread died (the thread is started again for the next one).
   */
  async render(kind: DocumentKind, doc: FiscalDocument, logo: Buffer | null, orderReference: string | null): Promise<Buffer> {
    const endTimer = metrics.pdfRenderSeconds.startTimer();
    const input: InvoiceDocument = { ...this.documentOf(kind, doc, logo), orderReference: kind.name === 'invoice' ? orderReference : null };
    const pdf = await (this.threads ? this.threads.render(input) : this.renderHere(input));
    endTimer();
    metrics.pdfRendered.inc();
    return pdf;
  }

  /** Readies the renderer (threads started, fonts parsed) before the first document: the document stage's boot. */
  warm(): void {
    if (this.threads) this.threads.warm();
    else this.renderer!.warm();
  }

  /** Ends the render threads, after the document stage let its renders finish (onModuleDestroy). */
  async onApplicationShutdown(): Promise<void> {
    await this.threads?.close();
  }

  /** On this event loop, one at a time, letting I/O run in between: a batch asked at once must not hold the loop. */
  private renderHere(input: InvoiceDocument): Promise<Buffer> {
    const pdf = this.inline.then(() => new Promise((resolve) => setImmediate(resolve))).then(() => this.renderer!.render(input));
    this.inline = pdf.catch(() => undefined);
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
