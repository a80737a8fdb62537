import { Injectable } from '@nestjs/common';
import { InvoicePdfService } from '@app/invoicing';
import { JobPayloads, JobQueue } from '@app/queue';

@Injectable()
export class InvoicePdfProcessor {
  constructor(
    private readonly pdfs: InvoicePdfService,
    private readonly queue: JobQueue,
  ) {}

  async handle({ invoiceId }: JobPayloads['render-invoice-pdf']): Promise<void> {
    const outcome = await this.pdfs.renderAndStore(invoiceId);
    if (!outcome) return;
    await Promise.all([
      this.queue.tryEnqueue('send-invoice-email', { invoiceId }),
      this.queue.tryEnqueueBulk('deliver-message', outcome.deliveryIds.map((deliveryId) => ({ deliveryId, attempt: 1 }))),
    ]);
  }
}
