import type { JobsOptions } from 'bullmq';

/**
 * Every background job: its queue, its payload and its default options, in
 * one place. Producers and processors both go through this map, so a job
 * name or payload cannot drift between them.
 */
export interface JobPayloads {
  /** An endpoint may have work at `at` (epoch ms): retries, circuit probes, rate-limit pacing, the sweeper. */
  'wake-endpoint': { endpointId: string; at: number };
  'send-endpoint-disabled-email': { endpointId: string; disabledAt: number };
}

export type JobName = keyof JobPayloads;

/** Stripe events are not queued here: the worker claims them from the inbox table (see StripeInboxStage). */
export const QUEUE_NAMES = ['emails', 'deliveries'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * How long a worker holds a job it runs. The lock lasts `lockDuration` and the worker renews it every half of
 * that while it lives; a worker killed mid-job stops renewing, and the other workers' stalled check (every
 * `stalledInterval`) puts the job back in the queue once the lock has lapsed: within about lockDuration +
 * stalledInterval (BullMQ's defaults, 30 s each, left a paid order waiting up to a minute). A job run twice
 * changes nothing more (each processor works on PostgreSQL rows under their own lock and status), so an event
 * loop stalled past the renewal costs a second run, not a second effect. Emails are the exception: an SMTP
 * send cannot be taken back, so their lease is longer, for a slower recovery and a far smaller chance of a
 * second send. `maxStalledCount`: a job taken back this often is failed (and then left to the sweeper).
 */
export const WORKER_LEASES: Record<QueueName, { lockDuration: number; stalledInterval: number; maxStalledCount: number }> = {
  deliveries: { lockDuration: 3000, stalledInterval: 1000, maxStalledCount: 5 },
  emails: { lockDuration: 8000, stalledInterval: 1000, maxStalledCount: 2 },
};

/** Transient failures (database restarting, SMTP busy) are retried by BullMQ with backoff. */
const RETRY_TRANSIENT: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
};

export const JOBS: { [N in JobName]: { queue: QueueName; options: JobsOptions; jobId: (p: JobPayloads[N]) => string } } = {
  // Wakes only tell the worker to look at PostgreSQL, so a duplicate is
  // harmless and a completed one must not block the next wake at that time.
  'wake-endpoint': {
    queue: 'deliveries',
    options: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { count: 1000 } },
    jobId: (p) => `wake-${p.endpointId}-${p.at}`,
  },
  'send-endpoint-disabled-email': { queue: 'emails', options: RETRY_TRANSIENT, jobId: (p) => `endpoint-disabled-${p.endpointId}-${p.disabledAt}` },
};
