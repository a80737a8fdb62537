import { Controller, Get, UseGuards } from '@nestjs/common';
import { JobQueue, QUEUE_NAMES } from '@app/queue';
import { StripeEventRepository } from '@app/stripe';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { AdminOverviewRepository } from './admin-overview.repository';

/** The page an operator opens first: what is stuck or failing right now. */
@Controller('admin/overview')
@UseGuards(AdminAuthGuard)
export class AdminOverviewController {
  constructor(
    private readonly reads: AdminOverviewRepository,
    private readonly queue: JobQueue,
    private readonly inbox: StripeEventRepository,
  ) {}

  @Get()
  @ApiDoc('Operator', 'admin', {
    summary: 'What needs attention',
    description: 'Unrouted Stripe events, events waiting to be processed, Stripe events that failed every attempt (list them with `GET /admin/events?status=failed`), refunds waiting for their invoice, failed jobs per queue, endpoints failing in the last 24 h, customer emails that failed in the last 24 h.',
    response: { status: 200, description: 'Counts', example: { unrouted_events: 0, events_waiting: 0, failed_events: 0, refunds_waiting_for_invoice: 0, failed_jobs: { emails: 0, deliveries: 0 }, failing_endpoints: [], emails_failed_24h: 0 } },
  })
  async overview() {
    const [events, failing, emailsFailed] = await Promise.all([
      this.inbox.attentionCounts(),
      this.reads.failingEndpoints(),
      this.reads.invoiceEmailsFailedLastDay(),
    ]);
    const failedJobs: Record<string, number | null> = {};
    for (const name of QUEUE_NAMES) failedJobs[name] = await this.queue.queue(name).getFailedCount().catch(() => null);
    return {
      object: 'overview',
      unrouted_events: events.unrouted,
      events_waiting: events.received,
      oldest_waiting_event_seconds: events.oldestReceivedSeconds,
      failed_events: events.failed,
      refunds_waiting_for_invoice: events.waiting,
      failed_jobs: failedJobs,
      failing_endpoints: failing.map((f) => ({ ...f, last_attempt_at: f.last_attempt_at.toISOString() })),
      emails_failed_24h: emailsFailed,
    };
  }
}
