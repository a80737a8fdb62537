import { Module } from '@nestjs/common';
import { CreditNoteMailService } from './credit-note-mail.service';
import { DocumentMailRepository } from './document-mail.repository';
import { InvoiceMailService } from './invoice-mail.service';
import { InvoiceResendService } from './invoice-resend.service';
import { Mailer } from './mailer';

@Module({ providers: [Mailer, DocumentMailRepository, InvoiceMailService, InvoiceResendService, CreditNoteMailService], exports: [Mailer, InvoiceMailService, InvoiceResendService, CreditNoteMailService] })
export class MailModule {}
