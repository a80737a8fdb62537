import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DocumentMailRepository } from './document-mail.repository';
import { isPermanentMailError, Mailer } from './mailer';
import { DocumentMailComposer } from './document-mail.composer';
import { metrics } from '@app/observability';

export type InvoiceMailOutcome = 'sent' | 'already_sent' | 'not_ready' | 'no_recipient' | 'rejected';

@Injectable()
export class InvoiceMailService {
  private readonly logger = new Logger(InvoiceMailService.name);

  constructor(
    private readonly documents: DocumentMailRepository,
    private readonly mailer: Mailer,
    private readonly composer: DocumentMailComposer,
    private readonly config: AppConfig,
  ) {}

  /**
   * Emails the invoice PDF to the customer once. The Message-ID is derived
   * from the invoice, so if a crash between the SMTP answer and the commit
   * makes us send again, mail clients show a single message.
   */
  async send(invoiceId: string): Promise<InvoiceMailOutcome> {
    const invoice = await this.documents.invoice(invoiceId);
    if (!invoice || !invoice.pdfRenderedAt) return 'not_ready';
    if (invoice.emailedAt) return 'already_sent';
    if (!invoice.buyer.email) {
      await this.documents.recordInvoiceEmail(invoiceId, { emailError: 'The order has no customer email.' });
      return 'no_recipient';
    }
    const [pdf, logo] = await Promise.all([this.documents.invoicePdfOfJob(invoiceId), this.documents.logoOfJob(invoice.partnerId)]);
    if (!pdf) throw new Error(`invoice ${invoiceId} is marked rendered but has no PDF`);
    try {
      await this.mailer.send({
        messageId: `<${invoice.id}@${new URL(this.config.publicBaseUrl).hostname}>`,
        to: invoice.buyer.name ? { name: invoice.buyer.name, address: invoice.buyer.email } : invoice.buyer.email,
        ...this.composer.compose({ kind: 'invoice', invoice }, pdf.content, logo),
      });
    } catch (err) {
      if (!isPermanentMailError(err)) {
        metrics.emails.inc({ outcome: 'failed' });
        throw err;
      }
      this.logger.warn(`Invoice ${invoice.number} refused by the mail server: ${(err as Error).message}`);
      await this.documents.recordInvoiceEmail(invoiceId, { emailError: (err as Error).message.slice(0, 500) });
      metrics.emails.inc({ outcome: 'rejected' });
      return 'rejected';
    }
    await this.documents.recordInvoiceEmail(invoiceId, { emailedAt: new Date(), emailError: null });
    metrics.emails.inc({ outcome: 'sent' });
    return 'sent';
  }
}
