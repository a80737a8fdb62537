import { Controller, Get, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobQueue, QUEUE_NAMES } from '@app/queue';
import { StripeEventRepository } from '@app/stripe';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ApiDoc } from '../openapi/api-doc.decorator';

/** The page an operator opens first: what is stuck or failing right now. */
@Controller('admin/overview')
@UseGuards(AdminAuthGuard)
export class AdminOverviewController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queue: JobQueue,
    private readonly inbox: StripeEventRepository,
  ) {}

  @Get()
  @ApiDoc('Operator', 'admin', {
    summary: 'What needs attention',
    description: 'Unrouted Stripe events, events waiting to be processed, Stripe events that failed every attempt (list them with `GET /admin/events?status=failed`), refunds waiting for their invoice, failed jobs per queue, endpoints failing in the last 24 h, customer emails that failed in the last 24 h.',
    response: { status: 200, description: 'Counts', example: { unrouted_events: 0, events_waiting: 0, failed_events: 0, refunds_waiting_for_invoice: 0, failed_jobs: { 'stripe-events': 0, invoices: 0, emails: 0, deliveries: 0 }, failing_endpoints: [], emails_failed_24h: 0 } },
  })
  async overview() {
    const [events, failing, [emails]] = await Promise.all([
      this.inbox.attentionCounts(),
      this.db.query(
        `SELECT e.id AS endpoint_id, e.partner_id, e.environment, e.url, e.enabled,
                count(*) FILTER (WHERE a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299)::int AS failed_attempts,
                count(*)::int AS attempts, max(a.attempted_at) AS last_attempt_at
         FROM attempts a JOIN endpoints e ON e.id = a.endpoint_id
         WHERE a.attempted_at > now() - interval '24 hours' AND e.deleted_at IS NULL
         GROUP BY e.id HAVING count(*) FILTER (WHERE a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299) > 0
         ORDER BY failed_attempts DESC LIMIT 50`,
      ),
      this.db.query(`SELECT count(*)::int AS n FROM invoices WHERE email_error IS NOT NULL AND issued_at > now() - interval '24 hours'`),
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
      failing_endpoints: failing.map((f: Record<string, unknown>) => ({ ...f, last_attempt_at: (f.last_attempt_at as Date).toISOString() })),
      emails_failed_24h: emails.n,
    };
  }
}
