import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { isDatabaseUnavailable } from '@app/errors';
import { FollowUps, PaymentEventService } from '@app/orders';
import { JobPayloads, JobQueue } from '@app/queue';
import { sanitizeProcessingError, StripeEventRepository } from '@app/stripe';

@Injectable()
export class StripeEventProcessor {
  private readonly logger = new Logger(StripeEventProcessor.name);

  constructor(
    private readonly payments: PaymentEventService,
    private readonly queue: JobQueue,
    private readonly inbox: StripeEventRepository,
    private readonly config: AppConfig,
  ) {}

  /** Fans a committed batch out into one job per event, so each is retried on its own. */
  async dispatch({ eventIds }: JobPayloads['dispatch-stripe-events']): Promise<void> {
    await this.queue.enqueueBulk('process-stripe-event', eventIds.map((eventId) => ({ eventId })));
  }

  async handle({ eventId }: JobPayloads['process-stripe-event']): Promise<void> {
    let followUps: FollowUps;
    try {
      followUps = await this.payments.process(eventId);
    } catch (err) {
      // An outage is not the event's fault: BullMQ retries it, uncounted (and the sweeper if BullMQ gives up).
      if (isDatabaseUnavailable(err)) throw err;
      const status = await this.inbox.recordFailure(eventId, sanitizeProcessingError(err), this.config.stripeEventMaxAttempts);
      if (status === 'failed') {
        // Stopped here rather than retried for ever: /admin/overview counts it, POST /admin/events/:id/retry reruns it.
        this.logger.error(`Stripe event ${eventId} failed on its last attempt; left for an operator`);
        return;
      }
      throw err;
    }
    // Committed already: if these enqueues are lost, the sweeper finds the rows.
    await Promise.all([
      this.queue.tryEnqueueBulk('render-invoice-pdf', followUps.invoiceIds.map((invoiceId) => ({ invoiceId }))),
      this.queue.tryEnqueueBulk('render-credit-note-pdf', followUps.creditNoteIds.map((creditNoteId) => ({ creditNoteId }))),
      this.queue.tryEnqueueBulk('deliver-message', followUps.deliveryIds.map((deliveryId) => ({ deliveryId, attempt: 1 }))),
    ]);
  }
}
