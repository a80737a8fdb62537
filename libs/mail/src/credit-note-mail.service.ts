import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { CreditNote, CreditNotePdf } from '@app/database';
import { creditNoteEmailContent } from './credit-note-mail.content';
import { isPermanentMailError, Mailer } from './mailer';

export type CreditNoteMailOutcome = 'sent' | 'already_sent' | 'not_ready' | 'no_recipient' | 'rejected';

@Injectable()
export class CreditNoteMailService {
  private readonly logger = new Logger(CreditNoteMailService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly mailer: Mailer,
    private readonly config: AppConfig,
  ) {}

  /**
   * Emails the credit note PDF to the customer once. As for invoices, the
   * Message-ID comes from the credit note, so a resend after a crash shows
   * as one message; 4xx/connection errors throw (retried), 5xx are recorded.
   */
  async send(creditNoteId: string): Promise<CreditNoteMailOutcome> {
    const repo = this.db.getRepository(CreditNote);
    const cn = await repo.findOneBy({ id: creditNoteId });
    if (!cn || !cn.pdfRenderedAt) return 'not_ready';
    if (cn.emailedAt) return 'already_sent';
    if (!cn.buyer.email) {
      await repo.update({ id: creditNoteId }, { emailError: 'The order has no customer email.' });
      return 'no_recipient';
    }
    const pdf = await this.db.getRepository(CreditNotePdf).findOneByOrFail({ creditNoteId });
    const content = creditNoteEmailContent(cn, this.config.platformName);
    const recipient = cn.buyer.business && cn.buyer.contact_name ? cn.buyer.contact_name : cn.buyer.name;
    try {
      await this.mailer.send({
        messageId: `<${cn.id}@${new URL(this.config.publicBaseUrl).hostname}>`,
        to: recipient ? { name: recipient, address: cn.buyer.email } : cn.buyer.email,
        replyTo: cn.seller.email,
        subject: content.subject,
        text: content.text,
        attachments: [{ filename: `${cn.number}.pdf`, content: pdf.content, contentType: 'application/pdf' }],
      });
    } catch (err) {
      if (!isPermanentMailError(err)) throw err;
      this.logger.warn(`Credit note ${cn.number} refused by the mail server: ${(err as Error).message}`);
      await repo.update({ id: creditNoteId }, { emailError: (err as Error).message.slice(0, 500) });
      return 'rejected';
    }
    await repo.update({ id: creditNoteId }, { emailedAt: new Date(), emailError: null });
    return 'sent';
  }
}
