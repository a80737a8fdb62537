import { Injectable } from '@nestjs/common';
import { PaymentEventService } from '@app/orders';
import { JobPayloads, JobQueue } from '@app/queue';

@Injectable()
export class StripeEventProcessor {
  constructor(
    private readonly payments: PaymentEventService,
    private readonly queue: JobQueue,
  ) {}

  /** Fans a committed batch out into one job per event, so each is retried on its own. */
  async dispatch({ eventIds }: JobPayloads['dispatch-stripe-events']): Promise<void> {
    await this.queue.enqueueBulk('process-stripe-event', eventIds.map((eventId) => ({ eventId })));
  }

  async handle({ eventId }: JobPayloads['process-stripe-event']): Promise<void> {
    const followUps = await this.payments.process(eventId);
    // Committed already: if these enqueues are lost, the sweeper finds the rows.
    await Promise.all([
      this.queue.tryEnqueueBulk('render-invoice-pdf', followUps.invoiceIds.map((invoiceId) => ({ invoiceId }))),
      this.queue.tryEnqueueBulk('render-credit-note-pdf', followUps.creditNoteIds.map((creditNoteId) => ({ creditNoteId }))),
      this.queue.tryEnqueueBulk('deliver-message', followUps.deliveryIds.map((deliveryId) => ({ deliveryId, attempt: 1 }))),
    ]);
  }
}
