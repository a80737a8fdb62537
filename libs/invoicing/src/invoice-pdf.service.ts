import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { asTx, Invoice, InvoicePdf, Order, PartnerLogo, scopeOfStoredRow } from '@app/database';
import { OutboxService } from '@app/webhooks';
import { InvoiceDocument, InvoicePdfRenderer } from './pdf';
import { metrics } from '@app/observability';

export interface RenderOutcome {
  invoice: Invoice;
  /** Deliveries of `invoice.issued` to schedule (empty when it was already recorded). */
  deliveryIds: string[];
}

/**
 * Renders an issued invoice to PDF once, stores the bytes in PostgreSQL and,
 * in the same transaction, records `invoice.issued` for the partner.
 */
@Injectable()
export class InvoicePdfService {
  private readonly renderer = new InvoicePdfRenderer();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  async renderAndStore(invoiceId: string): Promise<RenderOutcome | null> {
    const invoice = await this.db.getRepository(Invoice).findOneBy({ id: invoiceId });
    if (!invoice) return null;
    // Rendering happens outside the transaction: it is pure, and a crash
    // before the commit only means it is done again.
    let pdf: Buffer | null = null;
    if (!invoice.pdfRenderedAt) {
      const [logo, order] = await Promise.all([
        this.db.getRepository(PartnerLogo).findOneBy({ partnerId: invoice.partnerId }),
        this.db.getRepository(Order).findOne({ where: { id: invoice.orderId }, select: { id: true, partnerOrderRef: true } }),
      ]);
      const endTimer = metrics.pdfRenderSeconds.startTimer();
      pdf = await this.renderer.render({ ...this.documentOf(invoice, logo?.content ?? null), orderReference: order?.partnerOrderRef ?? null });
      endTimer();
      metrics.pdfRendered.inc();
    }
    return this.db.transaction(async (tx) => {
      const locked = await tx.findOne(Invoice, { where: { id: invoiceId }, lock: { mode: 'pessimistic_write' } });
      if (!locked) return null;
      if (!locked.pdfRenderedAt && pdf) {
        await tx.insert(InvoicePdf, { invoiceId, content: pdf, sha256: createHash('sha256').update(pdf).digest('hex') });
        locked.pdfRenderedAt = new Date();
        await tx.update(Invoice, { id: invoiceId }, { pdfRenderedAt: locked.pdfRenderedAt });
      }
      const deliveryIds = await this.outbox.record(
        asTx(tx),
        scopeOfStoredRow(locked),
        'invoice.issued',
        locked.orderId,
        {
          id: locked.id,
          number: locked.number,
          order_id: locked.orderId,
          amount_total: locked.amountTotal,
          currency: locked.currency,
          pdf_url: `${this.config.publicBaseUrl}/v1/invoices/${locked.id}/pdf`,
          issued_at: locked.issuedAt.toISOString(),
        },
      );
      return { invoice: locked, deliveryIds };
    });
  }

  async pdfOf(invoiceId: string): Promise<Buffer | null> {
    const row = await this.db.getRepository(InvoicePdf).findOneBy({ invoiceId });
    return row?.content ?? null;
  }

  documentOf(invoice: Invoice, logo: Buffer | null = null): InvoiceDocument {
    return {
      kind: 'invoice',
      number: invoice.number,
      environment: invoice.environment,
      locale: invoice.locale,
      currency: invoice.currency,
      issuedAt: invoice.issuedAt,
      paidAt: invoice.paidAt,
      paymentMethod: invoice.paymentMethod,
      platformName: this.config.platformName,
      seller: invoice.seller,
      buyer: invoice.buyer,
      lines: invoice.lines,
      terms: invoice.terms,
      saleDate: invoice.paidAt,
      logo,
    };
  }
}
