import { Module } from '@nestjs/common';
import { WebhooksModule } from '@app/webhooks';
import { CreditNotePdfService } from './credit-note-pdf.service';
import { CreditNoteRepository } from './credit-note.repository';
import { CreditNoteService } from './credit-note.service';
import { InvoicePdfService } from './invoice-pdf.service';
import { InvoiceService } from './invoice.service';

@Module({
  imports: [WebhooksModule],
  providers: [InvoiceService, InvoicePdfService, CreditNoteService, CreditNotePdfService, CreditNoteRepository],
  exports: [InvoiceService, InvoicePdfService, CreditNoteService, CreditNotePdfService, CreditNoteRepository],
})
export class InvoicingModule {}
