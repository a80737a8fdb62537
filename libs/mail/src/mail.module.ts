import { Module } from '@nestjs/common';
import { CreditNoteMailService } from './credit-note-mail.service';
import { DocumentMailComposer } from './document-mail.composer';
import { DocumentMailRepository } from './document-mail.repository';
import { InvoiceMailService } from './invoice-mail.service';
import { InvoiceResendService } from './invoice-resend.service';
import { Mailer } from './mailer';
import { MailTemplates } from './mail-templates';

@Module({
  providers: [Mailer, MailTemplates, DocumentMailRepository, DocumentMailComposer, InvoiceMailService, InvoiceResendService, CreditNoteMailService],
  exports: [Mailer, InvoiceMailService, InvoiceResendService, CreditNoteMailService],
})
export class MailModule {}
