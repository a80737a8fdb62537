import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '@app/config';
import { AppError, parseInput } from '@app/errors';
import { DocumentPdfService, INVOICE, InvoiceResendService } from '@app/invoicing';
import { OrderRepository, orderView } from '@app/orders';
import { AuthenticatedPartner } from '@app/partners';
import { CurrentPartner, PartnerAuthGuard } from '../auth/partner-auth.guard';
import { listOf } from './paging';
import { listInvoicesQuery, listOrdersQuery, sendInvoiceBody } from './partner-queries.schemas';
import { invoiceView } from './partner-views';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { EXAMPLE_INVOICE, EXAMPLE_ORDER, list } from '../openapi/examples';

@Controller('v1')
@UseGuards(PartnerAuthGuard)
export class OrdersController {
  constructor(
    private readonly orders: OrderRepository,
    private readonly pdfs: DocumentPdfService,
    private readonly resender: InvoiceResendService,
    private readonly config: AppConfig,
  ) {}

  @ApiDoc('Orders', 'partner', { summary: 'List orders', query: listOrdersQuery, response: { status: 200, description: 'Newest first', example: list(EXAMPLE_ORDER) }, errors: ['validation_failed'] })
  @Get('orders')
  async listOrders(@CurrentPartner() auth: AuthenticatedPartner, @Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(listOrdersQuery, query);
    return listOf(() => this.orders.listOrders(auth, filters, { limit, cursor }), ({ order, invoice }) => orderView(order, invoice));
  }

  @ApiDoc('Orders', 'partner', { summary: 'Get an order', response: { status: 200, description: 'The order', example: EXAMPLE_ORDER }, errors: ['not_found'] })
  @Get('orders/:id')
  async getOrder(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    const { order, invoice } = await this.orders.getOrder(auth, id);
    return orderView(order, invoice);
  }

  @ApiDoc('Invoices', 'partner', { summary: 'List invoices', query: listInvoicesQuery, response: { status: 200, description: 'Newest first', example: list(EXAMPLE_INVOICE) }, errors: ['validation_failed'] })
  @Get('invoices')
  async listInvoices(@CurrentPartner() auth: AuthenticatedPartner, @Query() query: unknown) {
    const { limit, cursor, ...filters } = parseInput(listInvoicesQuery, query);
    return listOf(() => this.orders.listInvoices(auth, filters, { limit, cursor }), (i) => invoiceView(i, this.config.publicBaseUrl));
  }

  @ApiDoc('Invoices', 'partner', { summary: 'Get an invoice', response: { status: 200, description: 'The invoice', example: EXAMPLE_INVOICE }, errors: ['not_found'] })
  @Get('invoices/:id')
  async getInvoice(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string) {
    return invoiceView(await this.orders.getInvoice(auth, id), this.config.publicBaseUrl);
  }

  @ApiDoc('Invoices', 'partner', { summary: 'Download the invoice PDF', response: { status: 200, description: 'application/pdf' }, errors: ['not_found', 'conflict'] })
  @Get('invoices/:id/pdf')
  async getInvoicePdf(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string, @Res() reply: FastifyReply) {
    const invoice = await this.orders.getInvoice(auth, id);
    const pdf = await this.pdfs.pdfOf(auth, INVOICE, invoice.id);
    if (!pdf) throw new AppError('conflict', `The PDF of invoice ${invoice.number} is being rendered; retry in a moment.`);
    void reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="${invoice.number}.pdf"`)
      .send(pdf);
  }

  /** Emails the invoice again, to the customer or to the address given. */
  @ApiDoc('Invoices', 'partner', { summary: 'Email the invoice again', description: 'To the customer, or to the address given.', body: sendInvoiceBody, response: { status: 200, description: 'Sent', example: { object: 'invoice_email', invoice_id: EXAMPLE_INVOICE.id, to: 'compta@example.com', message_id: '<inv_qZW.1763720000000@api.comptappart.example>' } }, errors: ['validation_failed', 'not_found', 'conflict'], idempotent: true })
  @Post('invoices/:id/send')
  @HttpCode(200)
  async sendInvoice(@CurrentPartner() auth: AuthenticatedPartner, @Param('id') id: string, @Body() body: unknown) {
    const { to } = parseInput(sendInvoiceBody, body ?? {});
    const sent = await this.resender.resend(auth, await this.orders.getInvoice(auth, id), to);
    return { object: 'invoice_email', invoice_id: id, ...sent };
  }
}
