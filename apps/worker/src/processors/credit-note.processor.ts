import { Injectable } from '@nestjs/common';
import { CreditNotePdfService } from '@app/invoicing';
import { CreditNoteMailService } from '@app/mail';
import { JobPayloads, JobQueue } from '@app/queue';

/** Credit notes follow the invoice's path: PDF stored (+ credit_note.issued), then the email. */
@Injectable()
export class CreditNoteProcessor {
  constructor(
    private readonly pdfs: CreditNotePdfService,
    private readonly mail: CreditNoteMailService,
    private readonly queue: JobQueue,
  ) {}

  async render({ creditNoteId }: JobPayloads['render-credit-note-pdf']): Promise<void> {
    const outcome = await this.pdfs.renderAndStore(creditNoteId);
    if (!outcome) return;
    await Promise.all([
      this.queue.tryEnqueue('send-credit-note-email', { creditNoteId }),
      this.queue.tryEnqueueBulk('deliver-message', outcome.deliveryIds.map((deliveryId) => ({ deliveryId, attempt: 1 }))),
    ]);
  }

  /** Transient SMTP failures throw and BullMQ retries; permanent refusals are recorded on the credit note. */
  async email({ creditNoteId }: JobPayloads['send-credit-note-email']): Promise<void> {
    await this.mail.send(creditNoteId);
  }
}
