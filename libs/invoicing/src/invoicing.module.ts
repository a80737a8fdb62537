import { Module } from '@nestjs/common';
import { MailModule } from '@app/mail';
import { WebhooksModule } from '@app/webhooks';
import { CreditNoteRepository } from './credit-note.repository';
import { CreditNoteService } from './credit-note.service';
import { DocumentIssueRepository } from './document-issue.repository';
import { DocumentPdfService } from './documents/document-pdf.service';
import { DocumentRepository } from './documents/document.repository';
import { DocumentMailComposer } from './email/document-mail.composer';
import { DocumentMailService } from './email/document-mail.service';
import { InvoiceResendService } from './email/invoice-resend.service';
import { InvoiceService } from './invoice.service';

/**
 * Invoices and credit notes: issuing them (numbering, figures), and their pipeline (PDF, storage, announcement,
 * email). The worker adds DocumentStage, which runs that pipeline; the api reads PDFs and resends emails.
 */
@Module({
  imports: [WebhooksModule, MailModule],
  providers: [
    DocumentIssueRepository,
    InvoiceService,
    CreditNoteService,
    CreditNoteRepository,
    DocumentRepository,
    DocumentPdfService,
    DocumentMailComposer,
    DocumentMailService,
    InvoiceResendService,
  ],
  exports: [
    InvoiceService,
    CreditNoteService,
    CreditNoteRepository,
    DocumentRepository,
    DocumentPdfService,
    DocumentMailService,
    InvoiceResendService,
  ],
})
export class InvoicingModule {}
