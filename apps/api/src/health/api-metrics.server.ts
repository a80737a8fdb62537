import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { registry } from '@app/observability';
import { JobQueue, QUEUE_NAMES } from '@app/queue';

const BACKLOG_ENDPOINTS = 50;

/**
 * Prometheus metrics of the api process, plus gauges read from PostgreSQL and
 * Redis at scrape time (inbox lag, jobs by state, per-endpoint backlog), so
 * any api replica reports the same system-wide figures. Their labels name
 * partners and endpoints, so they are served on an internal listener
 * (METRICS_HOST:API_METRICS_PORT), never on the public port.
 */
@Injectable()
export class ApiMetricsServer implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ApiMetrics');
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly queue: JobQueue,
  ) {}

  /** Where the listener is bound (the tests check it is METRICS_HOST). */
  get address(): AddressInfo | null {
    return (this.server?.address() as AddressInfo | null) ?? null;
  }

  get port(): number {
    return this.address?.port ?? 0;
  }

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

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((req, res) => {
      if ((req.url ?? '/').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'route_not_found', message: 'No such route.' } }));
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
        (err: Error) => {
          this.logger.error(`Metrics collection failed: ${err.message}`);
          res.writeHead(500).end();
        },
      );
    });
    this.server = server;
    // A port already taken stops the boot with the reason, rather than an api without its metrics.
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.apiMetricsPort, this.config.metricsHost, () => resolve());
    });
    this.logger.log(`Metrics on ${this.config.metricsHost}:${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
