import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DocumentMailComposer } from './document-mail.composer';
import { DocumentMailRepository } from './document-mail.repository';
import { isPermanentMailError, Mailer } from './mailer';

export type CreditNoteMailOutcome = 'sent' | 'already_sent' | 'not_ready' | 'no_recipient' | 'rejected';

@Injectable()
export class CreditNoteMailService {
  private readonly logger = new Logger(CreditNoteMailService.name);

  constructor(
    private readonly documents: DocumentMailRepository,
    private readonly mailer: Mailer,
    private readonly composer: DocumentMailComposer,
    private readonly config: AppConfig,
  ) {}

  /**
   * Emails the credit note PDF to the customer once. As for invoices, the
   * Message-ID comes from the credit note, so a resend after a crash shows
   * as one message; 4xx/connection errors throw (retried), 5xx are recorded.
   */
  async send(creditNoteId: string): Promise<CreditNoteMailOutcome> {
    const cn = await this.documents.creditNote(creditNoteId);
    if (!cn || !cn.pdfRenderedAt) return 'not_ready';
    if (cn.emailedAt) return 'already_sent';
    if (!cn.buyer.email) {
      await this.documents.recordCreditNoteEmail(creditNoteId, { emailError: 'The order has no customer email.' });
      return 'no_recipient';
    }
    const [pdf, logo] = await Promise.all([this.documents.creditNotePdfOfJob(creditNoteId), this.documents.logoOfJob(cn.partnerId)]);
    if (!pdf) throw new Error(`credit note ${creditNoteId} is marked rendered but has no PDF`);
    const recipient = cn.buyer.business && cn.buyer.contact_name ? cn.buyer.contact_name : cn.buyer.name;
    try {
      await this.mailer.send({
        messageId: `<${cn.id}@${new URL(this.config.publicBaseUrl).hostname}>`,
        to: recipient ? { name: recipient, address: cn.buyer.email } : cn.buyer.email,
        ...this.composer.compose({ kind: 'credit_note', creditNote: cn }, pdf.content, logo),
      });
    } catch (err) {
      if (!isPermanentMailError(err)) throw err;
      this.logger.warn(`Credit note ${cn.number} refused by the mail server: ${(err as Error).message}`);
      await this.documents.recordCreditNoteEmail(creditNoteId, { emailError: (err as Error).message.slice(0, 500) });
      return 'rejected';
    }
    await this.documents.recordCreditNoteEmail(creditNoteId, { emailedAt: new Date(), emailError: null });
    return 'sent';
  }
}
