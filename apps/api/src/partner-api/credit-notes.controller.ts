import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '@app/config';
import { CreditNote } from '@app/database';
import { AppError } from '@app/errors';
import { CREDIT_NOTE, creditNotePdfUrl, CreditNoteRepository, DocumentPdfService } from '@app/invoicing';
import { OrderRepository } from '@app/orders';
import { AuthenticatedPartner } from '@app/partners';
import { CurrentPartner, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';

const EXAMPLE_CREDIT_NOTE = {
  id: 'cn_V1b2C3d4E5f6G7h8I9j0Kl',
  object: 'credit_note',
  number: 'TEST-ATL-AV-2026-000001',
  environment: 'staging',
  order_id: 'ord_mQbAK6GYT2HwtVRTXVSAD0',
  invoice: { id: 'inv_qZWKiSZAWweTAKdFYRkFae', number: 'TEST-ATL-2026-000001' },
  stripe_refund_id: 're_3Qx7YbLkdIwHu7ix0KJ1A2bC',
  currency: 'eur',
  amount_total: 3000,
  amount_excluding_tax: 2579,
  amount_tax: 421,
  lines: [{ name: 'Remboursement partiel de la facture TEST-ATL-2026-000001 (TVA 20 %)', quantity: 1, unit_amount: 2550, vat_rate: 20, amount_total: 2550 }],
  reason: 'requested_by_customer',
  issued_at: '2026-11-22T10:04:11.000Z',
  refunded_at: '2026-11-22T10:04:10.000Z',
  pdf_url: 'https://api.comptappart.example/v1/credit-notes/cn_V1b2C3d4E5f6G7h8I9j0Kl/pdf',
  emailed_at: '2026-11-22T10:04:12.000Z',
};

/** A partner's credit notes (refunds), and their Factur-X PDFs. */
@Controller('v1')
@UseGuards(PartnerAuthGuard)
export class CreditNotesController {
  constructor(
    private readonly creditNotes: CreditNoteRepository,
    private readonly orders: OrderRepository,
    private readonly pdfs: DocumentPdfService,
    private readonly config: AppConfig,
  ) {}

  @Get('credit-notes/:id')
  @ApiDoc('Credit notes', 'partner', { summary: 'Get a credit note (one per Stripe refund)', response: { status: 200, description: 'The credit note', example: EXAMPLE_CREDIT_NOTE }, errors: ['not_found'] })
  async get(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    return this.view(await this.creditNotes.get(auth, id));
  }

  @Get('orders/:id/credit-notes')
  @ApiDoc('Credit notes', 'partner', { summary: "List an order's credit notes", response: { status: 200, description: 'Oldest first', example: { object: 'list', data: [EXAMPLE_CREDIT_NOTE] } }, errors: ['not_found'] })
  async listForOrder(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    // Another partner's order is a 404, as on every other route, not an empty list that says it exists or not.
    await this.orders.getOrder(auth, id);
    return { object: 'list', data: (await this.creditNotes.listForOrder(auth, id)).map((cn) => this.view(cn)) };
  }

  @Get('credit-notes/:id/pdf')
  @ApiDoc('Credit notes', 'partner', { summary: 'Download a credit note (Factur-X PDF/A-3)', response: { status: 200, description: 'application/pdf' }, errors: ['not_found', 'conflict'] })
  async pdf(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string, @Res() reply: FastifyReply) {
    const cn = await this.creditNotes.get(auth, id);
    const pdf = await this.pdfs.pdfOf(auth, CREDIT_NOTE, cn.id);
    if (!pdf) throw new AppError('conflict', `The PDF of credit note ${cn.number} is being rendered; retry in a moment.`);
    void reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${cn.number}.pdf"`).send(pdf);
  }

  private view(cn: CreditNote) {
    return {
      id: cn.id,
      object: 'credit_note',
      number: cn.number,
      environment: cn.environment,
      order_id: cn.orderId,
      invoice: { id: cn.invoiceId, number: cn.invoiceNumber },
      stripe_refund_id: cn.stripeRefundId,
      currency: cn.currency,
      amount_total: cn.amountTotal,
      amount_excluding_tax: cn.amountExcludingTax,
      amount_tax: cn.amountTax,
      lines: cn.lines,
      reason: cn.reason,
      issued_at: cn.issuedAt.toISOString(),
      refunded_at: cn.refundedAt.toISOString(),
      pdf_url: cn.pdfRenderedAt ? creditNotePdfUrl(this.config.publicBaseUrl, cn.id) : null,
      emailed_at: cn.emailedAt?.toISOString() ?? null,
    };
  }
}
