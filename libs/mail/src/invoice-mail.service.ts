import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { Invoice, InvoicePdf } from '@app/database';
import { isPermanentMailError, Mailer } from './mailer';
import { invoiceEmailContent } from './invoice-mail.content';
import { metrics } from '@app/observability';

export type InvoiceMailOutcome = 'sent' | 'already_sent' | 'not_ready' | 'no_recipient' | 'rejected';

@Injectable()
export class InvoiceMailService {
  private readonly logger = new Logger(InvoiceMailService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly mailer: Mailer,
    private readonly config: AppConfig,
  ) {}

  /**
   * Emails the invoice PDF to the customer once. The Message-ID is derived
   * from the invoice, so if a crash between the SMTP answer and the commit
   * makes us send again, mail clients show a single message.
   */
  async send(invoiceId: string): Promise<InvoiceMailOutcome> {
    const invoice = await this.db.getRepository(Invoice).findOneBy({ id: invoiceId });
    if (!invoice || !invoice.pdfRenderedAt) return 'not_ready';
    if (invoice.emailedAt) return 'already_sent';
    if (!invoice.buyer.email) {
      await this.db.getRepository(Invoice).update({ id: invoiceId }, { emailError: 'The order has no customer email.' });
      return 'no_recipient';
    }
    const pdf = await this.db.getRepository(InvoicePdf).findOneByOrFail({ invoiceId });
    const content = invoiceEmailContent(invoice, this.config.platformName);
    try {
      await this.mailer.send({
        messageId: `<${invoice.id}@${new URL(this.config.publicBaseUrl).hostname}>`,
        to: invoice.buyer.name ? { name: invoice.buyer.name, address: invoice.buyer.email } : invoice.buyer.email,
        replyTo: invoice.seller.email,
        subject: content.subject,
        text: content.text,
        attachments: [{ filename: `${invoice.number}.pdf`, content: pdf.content, contentType: 'application/pdf' }],
      });
    } catch (err) {
      if (!isPermanentMailError(err)) {
        metrics.emails.inc({ outcome: 'failed' });
        throw err;
      }
      this.logger.warn(`Invoice ${invoice.number} refused by the mail server: ${(err as Error).message}`);
      await this.db.getRepository(Invoice).update({ id: invoiceId }, { emailError: (err as Error).message.slice(0, 500) });
      metrics.emails.inc({ outcome: 'rejected' });
      return 'rejected';
    }
    await this.db.getRepository(Invoice).update({ id: invoiceId }, { emailedAt: new Date(), emailError: null });
    metrics.emails.inc({ outcome: 'sent' });
    return 'sent';
  }
}
