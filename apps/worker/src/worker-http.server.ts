import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DatabaseProbeRepository } from '@app/database';
import { answersWithin, readiness, registry } from '@app/observability';
import { JobQueue, QUEUE_NAMES } from '@app/queue';

/**
 * The worker serves no API, only what operators and orchestrators probe:
 * `/health/live`, `/health/ready` (PostgreSQL, Redis, its queues) and
 * `/metrics` with the counters its jobs record.
 */
@Injectable()
export class WorkerHttpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerHttp');
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly database: DatabaseProbeRepository,
    private readonly queue: JobQueue,
  ) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.answer(req.url ?? '/').then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      });
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.workerHttpPort, this.config.metricsHost, () => resolve());
    });
    this.logger.log(`Health and metrics on ${this.config.metricsHost}:${this.port}`);
  }

  private async answer(url: string): Promise<{ status: number; type: string; body: string }> {
    const json = (status: number, body: unknown) => ({ status, type: 'application/json', body: JSON.stringify(body) });
    if (url === '/health/live') return json(200, { status: 'ok' });
    if (url === '/health/ready') {
      const [postgres, redis] = await Promise.all([answersWithin(() => this.database.ping()), answersWithin(() => this.queue.ping())]);
      const queues = redis ? Object.fromEntries(await Promise.all(QUEUE_NAMES.map(async (n) => [n, await this.queue.queue(n).getJobCounts('waiting', 'active', 'delayed', 'failed')]))) : null;
      const { httpStatus, status, down } = readiness({ postgres, redis });
      return json(httpStatus, { status, postgres, redis, queues, ...(down ? { down } : {}) });
    }
    if (url === '/metrics') return { status: 200, type: 'text/plain; version=0.0.4; charset=utf-8', body: await registry.metrics() };
    return json(404, { error: { code: 'route_not_found', message: 'No such route.' } });
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
