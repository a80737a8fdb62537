import { Controller, Get, Header, OnModuleInit } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { registry } from '@app/observability';
import { JobQueue, QUEUE_NAMES } from '@app/queue';

const BACKLOG_ENDPOINTS = 50;

/**
 * Prometheus metrics of the api process, plus gauges read from PostgreSQL and
 * Redis at scrape time (inbox lag, jobs by state, per-endpoint backlog), so
 * any api replica reports the same system-wide figures. Serve it on an
 * internal network only.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queue: JobQueue,
  ) {}

  onModuleInit(): void {
    const db = this.db;
    const queue = this.queue;
    for (const name of ['ca_inbox_lag_seconds', 'ca_inbox_pending', 'ca_jobs', 'ca_endpoint_backlog']) registry.removeSingleMetric(name);
    new Gauge({
      name: 'ca_inbox_lag_seconds',
      help: 'Age of the oldest Stripe event committed but not yet processed',
      registers: [registry],
      async collect() {
        const [row] = await db.query(`SELECT extract(epoch FROM now() - min(received_at)) AS lag FROM stripe_events WHERE status = 'received'`);
        this.set(Number(row?.lag ?? 0));
      },
    });
    new Gauge({
      name: 'ca_inbox_pending',
      help: 'Stripe events committed but not yet processed',
      registers: [registry],
      async collect() {
        const [row] = await db.query(`SELECT count(*)::int AS n FROM stripe_events WHERE status = 'received'`);
        this.set(row.n);
      },
    });
    new Gauge({
      name: 'ca_jobs',
      help: 'Jobs by queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const name of QUEUE_NAMES) {
          const counts = await queue.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed').catch(() => null);
          for (const [state, n] of Object.entries(counts ?? {})) this.set({ queue: name, state }, n);
        }
      },
    });
    new Gauge({
      name: 'ca_endpoint_backlog',
      help: `Pending deliveries per endpoint (the ${BACKLOG_ENDPOINTS} largest backlogs)`,
      labelNames: ['endpoint_id', 'partner_id'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const rows: { endpoint_id: string; partner_id: string; n: number }[] = await db.query(
          `SELECT endpoint_id, partner_id, count(*)::int AS n FROM deliveries WHERE status = 'pending'
           GROUP BY endpoint_id, partner_id ORDER BY n DESC LIMIT ${BACKLOG_ENDPOINTS}`,
        );
        for (const r of rows) this.set({ endpoint_id: r.endpoint_id, partner_id: r.partner_id }, r.n);
      },
    });
  }

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    return registry.metrics();
  }
}
