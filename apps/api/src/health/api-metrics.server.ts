import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { AppConfig } from '@app/config';
import { registry } from '@app/observability';
import { JobQueue, QUEUE_NAMES } from '@app/queue';
import { BacklogGaugesRepository } from './backlog-gauges.repository';

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
    private readonly gauges: BacklogGaugesRepository,
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
    const gauges = this.gauges;
    const queue = this.queue;
    for (const name of ['ca_inbox_lag_seconds', 'ca_inbox_pending', 'ca_jobs', 'ca_endpoint_backlog']) registry.removeSingleMetric(name);
    new Gauge({
      name: 'ca_inbox_lag_seconds',
      help: 'Age of the oldest Stripe event committed but not yet processed',
      registers: [registry],
      async collect() {
        this.set((await gauges.inbox()).lagSeconds);
      },
    });
    new Gauge({
      name: 'ca_inbox_pending',
      help: 'Stripe events committed but not yet processed',
      registers: [registry],
      async collect() {
        this.set((await gauges.inbox()).pending);
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
        for (const r of await gauges.largestEndpointBacklogs(BACKLOG_ENDPOINTS)) this.set({ endpoint_id: r.endpoint_id, partner_id: r.partner_id }, r.n);
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
