import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '@app/config';
import { JOBS, JobName, JobPayloads, QUEUE_NAMES, QueueName } from './job-registry';
import { createRedisConnection, RedisConnection } from './redis-connection';

export interface EnqueueOptions {
  delayMs?: number;
}

/**
 * How long a best-effort call may wait for Redis. A Cluster client holds
 * commands in its offline queue while no node answers, whatever
 * maxRetriesPerRequest says, so without this bound a cluster outage would
 * hang a processor's follow-ups and every readiness probe.
 */
const REDIS_DEADLINE_MS = 2000;

function withinDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: Redis did not answer within ${REDIS_DEADLINE_MS} ms`)), REDIS_DEADLINE_MS);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Typed producer for every queue. Redis only schedules work: PostgreSQL holds
 * the truth, so an enqueue that fails is logged and left to the sweeper, never
 * allowed to fail the request or the transaction that wanted it.
 */
@Injectable()
export class JobQueue implements OnModuleDestroy {
  private readonly logger = new Logger(JobQueue.name);
  private readonly connection: RedisConnection;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly config: AppConfig) {
    // One retry per command: while Redis is down an add fails within a couple
    // of seconds instead of waiting (and piling up in memory) until it returns.
    this.connection = createRedisConnection(config, { maxRetriesPerRequest: 1 });
    this.connection.on('error', (err) => this.logger.warn(`Redis: ${err.message}`));
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection: this.connection, prefix: config.queuePrefix });
      queue.on('error', (err) => this.logger.warn(`Queue ${name}: ${err.message}`));
      this.queues.set(name, queue);
    }
  }

  queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<void> {
    const job = JOBS[name];
    await this.queue(job.queue).add(name, payload, { ...job.options, jobId: job.jobId(payload), delay: opts.delayMs });
  }

  async enqueueBulk<N extends JobName>(name: N, payloads: JobPayloads[N][]): Promise<void> {
    if (payloads.length === 0) return;
    const job = JOBS[name];
    await this.queue(job.queue).addBulk(
      payloads.map((p) => ({ name, data: p, opts: { ...job.options, jobId: job.jobId(p) } })),
    );
  }

  /** Enqueue, but only log a failure: for callers whose work is already durable in PostgreSQL. */
  async tryEnqueueBulk<N extends JobName>(name: N, payloads: JobPayloads[N][]): Promise<boolean> {
    try {
      await withinDeadline(this.enqueueBulk(name, payloads), name);
      return true;
    } catch (err) {
      this.logger.warn(`Could not enqueue ${payloads.length} ${name} job(s); the sweeper will: ${(err as Error).message}`);
      return false;
    }
  }

  async tryEnqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<boolean> {
    try {
      await withinDeadline(this.enqueue(name, payload, opts), name);
      return true;
    } catch (err) {
      this.logger.warn(`Could not enqueue ${name}; the sweeper will: ${(err as Error).message}`);
      return false;
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await withinDeadline(this.connection.ping(), 'ping')) === 'PONG';
    } catch {
      return false;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
