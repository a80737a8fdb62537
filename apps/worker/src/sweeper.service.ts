import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { JobQueue } from '@app/queue';
import { DeliveryService, EndpointDisabledNoticeService } from '@app/webhooks';

const BATCH = 1000;

/**
 * PostgreSQL is the source of truth and Redis only schedules. This finds work
 * committed but never (or no longer) scheduled — Redis down during an
 * enqueue, flushed, or a crash between commit and enqueue — and schedules it
 * again. Job ids are deterministic, so work still queued is not duplicated;
 * for deliveries it wakes each endpoint with due, unleased work, and the
 * claim (not the job) decides what is sent. Stripe events, invoices and credit
 * notes are not swept: the worker claims them from PostgreSQL itself
 * (StripeInboxStage and DocumentStage poll).
 */
@Injectable()
export class SweeperService {
  private readonly logger = new Logger(SweeperService.name);

  constructor(
    private readonly queue: JobQueue,
    private readonly config: AppConfig,
    private readonly deliveries: DeliveryService,
    private readonly notices: EndpointDisabledNoticeService,
  ) {}

  async sweep(): Promise<number> {
    const cutoff = new Date(Date.now() - this.config.sweepGraceMs);
    const [endpoints, notices] = await Promise.all([
      this.deliveries.dueEndpoints(cutoff),
      this.notices.unsent(cutoff),
    ]);
    const at = Date.now();
    const ok = await Promise.all([
      this.queue.tryEnqueueBulk('wake-endpoint', endpoints.map((endpointId) => ({ endpointId, at }))),
      this.queue.tryEnqueueBulk('send-endpoint-disabled-email', notices.map((n) => ({ endpointId: n.id, disabledAt: n.disabledAt }))),
    ]);
    const total = endpoints.length + notices.length;
    if (total > 0 && ok.every(Boolean)) this.logger.log(`Re-scheduled ${total} item(s) found only in PostgreSQL`);
    return total;
  }
}
