import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { AppConfig } from '@app/config';
import { createRedisConnection, JobName, JobPayloads, QueueName, RedisConnection, WORKER_LEASES } from '@app/queue';
import { DeliveryProcessor } from './processors/delivery.processor';
import { EndpointDisabledEmailProcessor } from './processors/endpoint-disabled-email.processor';
import { SweeperService } from './sweeper.service';
import { LogFields, withLogContext } from '@app/observability';

const ID_FIELDS: Record<string, keyof LogFields> = {
  eventId: 'stripe_event_id',
  deliveryId: 'delivery_id',
  endpointId: 'endpoint_id',
};

function idsOf(data: Record<string, unknown>): LogFields {
  const fields: LogFields = {};
  for (const [key, field] of Object.entries(ID_FIELDS)) if (typeof data[key] === 'string') fields[field] = data[key] as string;
  return fields;
}

type Handlers = { [N in JobName]: (payload: JobPayloads[N]) => Promise<void> };

/** One BullMQ worker per queue, dispatching by job name to its processor. */
@Injectable()
export class QueueWorkersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly workers: Worker[] = [];
  private connection?: RedisConnection;
  private sweepTimer?: NodeJS.Timeout;
  private readonly handlers: Handlers;

  constructor(
    private readonly config: AppConfig,
    private readonly sweeper: SweeperService,
    deliveries: DeliveryProcessor,
    endpointEmails: EndpointDisabledEmailProcessor,
  ) {
    this.handlers = {
      'wake-endpoint': (p) => deliveries.handleWake(p),
      'send-endpoint-disabled-email': (p) => endpointEmails.handle(p),
    };
  }

  onApplicationBootstrap(): void {
    // Workers block on Redis; BullMQ requires unlimited retries on their connection.
    this.connection = createRedisConnection(this.config, { maxRetriesPerRequest: null });
    this.connection.on('error', (err) => this.logger.warn(`Redis: ${err.message}`));
    const concurrency: Record<QueueName, number> = {
      emails: 5,
      // Delivery jobs only claim and start sends (the HTTP requests run outside
      // the job), so a handful of slots keep any number of partners busy.
      deliveries: this.config.workerConcurrency,
    };
    for (const [queue, n] of Object.entries(concurrency) as [QueueName, number][]) {
      const worker = new Worker(queue, (job: Job) => this.run(job), {
        connection: this.connection,
        prefix: this.config.queuePrefix,
        concurrency: n,
        // A killed worker's jobs are taken back within seconds (see WORKER_LEASES).
        ...WORKER_LEASES[queue],
      });
      worker.on('failed', (job, err) => this.logger.warn(`${queue}/${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`));
      worker.on('error', (err) => this.logger.warn(`${queue}: ${err.message}`));
      this.workers.push(worker);
    }
    this.sweepTimer = setInterval(() => {
      this.sweeper.sweep().catch((err) => this.logger.warn(`Sweep failed: ${(err as Error).message}`));
    }, this.config.sweepIntervalMs);
    this.logger.log(`Processing ${Object.keys(concurrency).join(', ')}`);
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers[job.name as JobName] as (p: unknown) => Promise<void>;
    if (!handler) throw new Error(`No processor for job ${job.name}`);
    // Every log line of this job carries its name, its id and the ids it is about.
    await withLogContext({ job: job.name, job_id: job.id ?? undefined, ...idsOf(job.data) }, () => handler(job.data));
  }

  /** Stops taking jobs, lets the ones in hand finish, then closes the connection. */
  async onApplicationShutdown(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.allSettled(this.workers.map((w) => w.close()));
    this.connection?.disconnect();
  }
}
