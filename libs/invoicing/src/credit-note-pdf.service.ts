import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { asTx, CreditNote, CreditNotePdf, PartnerLogo, scopeOfStoredRow } from '@app/database';
import { OutboxService } from '@app/webhooks';
import { InvoiceDocument, InvoicePdfRenderer } from './pdf';

export interface CreditNoteRenderOutcome {
  creditNote: CreditNote;
  /** Deliveries of `credit_note.issued` to schedule (empty when it was already recorded). */
  deliveryIds: string[];
}

/** Public URL of a credit note's PDF in the partner API. */
export function creditNotePdfUrl(publicBaseUrl: string, creditNoteId: string): string {
  return `${publicBaseUrl}/v1/credit-notes/${creditNoteId}/pdf`;
}

/**
 * Renders a credit note to its Factur-X PDF once, stores it, and in the same
 * transaction records `credit_note.issued` — only in the transaction that
 * stored the PDF, which is what makes that message once per credit note.
 */
@Injectable()
export class CreditNotePdfService {
  private readonly renderer = new InvoicePdfRenderer();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  async renderAndStore(creditNoteId: string): Promise<CreditNoteRenderOutcome | null> {
    const creditNote = await this.db.getRepository(CreditNote).findOneBy({ id: creditNoteId });
    if (!creditNote) return null;
    if (creditNote.pdfRenderedAt) return { creditNote, deliveryIds: [] };
    const logo = await this.db.getRepository(PartnerLogo).findOneBy({ partnerId: creditNote.partnerId });
    // Rendered outside the transaction: pure, and a crash before the commit only means it is done again.
    const pdf = await this.renderer.render(this.documentOf(creditNote, logo?.content ?? null));
    return this.db.transaction(async (tx) => {
      const locked = await tx.findOne(CreditNote, { where: { id: creditNoteId }, lock: { mode: 'pessimistic_write' } });
      if (!locked) return null;
      if (locked.pdfRenderedAt) return { creditNote: locked, deliveryIds: [] };
      await tx.insert(CreditNotePdf, { creditNoteId, content: pdf, sha256: createHash('sha256').update(pdf).digest('hex') });
      locked.pdfRenderedAt = new Date();
      await tx.update(CreditNote, { id: creditNoteId }, { pdfRenderedAt: locked.pdfRenderedAt });
      const deliveryIds = await this.outbox.record(
        asTx(tx),
        scopeOfStoredRow(locked),
        'credit_note.issued',
        locked.orderId,
        {
          id: locked.id,
          number: locked.number,
          order_id: locked.orderId,
          invoice: { id: locked.invoiceId, number: locked.invoiceNumber },
          amount_total: locked.amountTotal,
          amount_excluding_tax: locked.amountExcludingTax,
          amount_tax: locked.amountTax,
          currency: locked.currency,
          stripe_refund_id: locked.stripeRefundId,
          pdf_url: creditNotePdfUrl(this.config.publicBaseUrl, locked.id),
          issued_at: locked.issuedAt.toISOString(),
        },
      );
      return { creditNote: locked, deliveryIds };
    });
  }

  async pdfOf(creditNoteId: string): Promise<Buffer | null> {
    const row = await this.db.getRepository(CreditNotePdf).findOneBy({ creditNoteId });
    return row?.content ?? null;
  }

  documentOf(cn: CreditNote, logo: Buffer | null = null): InvoiceDocument {
    return {
      kind: 'credit_note',
      number: cn.number,
      environment: cn.environment,
      locale: cn.locale,
      currency: cn.currency,
      issuedAt: cn.issuedAt,
      saleDate: null,
      paidAt: cn.refundedAt,
      paymentMethod: cn.paymentMethod,
      platformName: this.config.platformName,
      seller: cn.seller,
      buyer: cn.buyer,
      lines: cn.lines,
      terms: cn.terms,
      precedingInvoice: { number: cn.invoiceNumber, issued_at: cn.invoiceIssuedAt },
      logo,
    };
  }
}
