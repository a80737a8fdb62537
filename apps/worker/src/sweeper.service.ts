import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
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
 * claim (not the job) decides what is sent. Stripe events are not swept:
 * the worker claims them from PostgreSQL itself (StripeInboxStage polls).
 */
@Injectable()
export class SweeperService {
  private readonly logger = new Logger(SweeperService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queue: JobQueue,
    private readonly config: AppConfig,
    private readonly deliveries: DeliveryService,
    private readonly notices: EndpointDisabledNoticeService,
  ) {}

  async sweep(): Promise<number> {
    const cutoff = new Date(Date.now() - this.config.sweepGraceMs);
    const [unrendered, unsent, endpoints, notices] = await Promise.all([
      this.db.query(`SELECT id FROM invoices WHERE pdf_rendered_at IS NULL AND issued_at < $1 ORDER BY issued_at LIMIT ${BATCH}`, [cutoff]),
      this.db.query(
        `SELECT id FROM invoices WHERE pdf_rendered_at IS NOT NULL AND emailed_at IS NULL AND email_error IS NULL AND pdf_rendered_at < $1 LIMIT ${BATCH}`,
        [cutoff],
      ),
      this.deliveries.dueEndpoints(cutoff),
      this.notices.unsent(cutoff),
    ]);
    const at = Date.now();
    const ok = await Promise.all([
      this.queue.tryEnqueueBulk('render-invoice-pdf', unrendered.map((r: { id: string }) => ({ invoiceId: r.id }))),
      this.queue.tryEnqueueBulk('send-invoice-email', unsent.map((r: { id: string }) => ({ invoiceId: r.id }))),
      this.queue.tryEnqueueBulk('wake-endpoint', endpoints.map((endpointId) => ({ endpointId, at }))),
      this.queue.tryEnqueueBulk('send-endpoint-disabled-email', notices.map((n) => ({ endpointId: n.id, disabledAt: n.disabledAt }))),
    ]);
    const total = unrendered.length + unsent.length + endpoints.length + notices.length;
    if (total > 0 && ok.every(Boolean)) this.logger.log(`Re-scheduled ${total} item(s) found only in PostgreSQL`);
    return total;
  }
}
