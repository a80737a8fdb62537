import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { Invoice, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { isPermanentMailError, mailFailureReason, Mailer } from '@app/mail';
import { INVOICE } from '../documents/document-kind';
import { DocumentRepository } from '../documents/document.repository';
import { DocumentMailComposer } from './document-mail.composer';

/**
 * `POST /v1/invoices/:id/send`: the partner asks for the invoice to be
 * emailed again, to the customer or to another address (an accountant).
 * Sent now, so the partner learns at once if the mail server refuses it.
 */
@Injectable()
export class InvoiceResendService {
  constructor(
    private readonly documents: DocumentRepository,
    private readonly mailer: Mailer,
    private readonly composer: DocumentMailComposer,
    private readonly config: AppConfig,
  ) {}

  async resend(scope: TenantScope, invoice: Invoice, to?: string): Promise<{ to: string; message_id: string }> {
    const recipient = to ?? invoice.buyer.email;
    if (!recipient) throw AppError.validation([{ field: 'to', message: 'the order has no customer email: give the address to send to' }]);
    const [pdf, logo] = await Promise.all([this.documents.pdfOf(scope, INVOICE, invoice.id), this.documents.logo(scope)]);
    if (!pdf) throw new AppError('conflict', `The PDF of invoice ${invoice.number} is being rendered; retry in a moment.`);
    // A new Message-ID each time: this is a deliberate second email, not a retry.
    const messageId = `<${invoice.id}.${Date.now()}@${new URL(this.config.publicBaseUrl).hostname}>`;
    try {
      await this.mailer.sendPrepared({
        messageId,
        to: recipient,
        ...this.composer.compose({ kind: 'invoice', invoice }, pdf, logo),
      });
    } catch (err) {
      // The server's answer often echoes the address: error bodies and logs carry no personal data.
      if (isPermanentMailError(err)) throw new AppError('conflict', `The mail server refused the recipient: ${mailFailureReason(err)}`);
      throw err;
    }
    return { to: recipient, message_id: messageId };
  }
}
