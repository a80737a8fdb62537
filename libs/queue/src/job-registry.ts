import type { JobsOptions } from 'bullmq';

/**
 * Every background job: its queue, its payload and its default options, in
 * one place. Producers and processors both go through this map, so a job
 * name or payload cannot drift between them.
 */
export interface JobPayloads {
  /** One per inbox commit: the api's hot path enqueues once per batch, the worker fans out. */
  'dispatch-stripe-events': { eventIds: string[] };
  'process-stripe-event': { eventId: string };
  'render-invoice-pdf': { invoiceId: string };
  'send-invoice-email': { invoiceId: string };
  /** A new delivery exists: wake its endpoint. */
  'deliver-message': { deliveryId: string; attempt: number };
  /** An endpoint may have work at `at` (epoch ms): retries, circuit probes, rate-limit pacing, the sweeper. */
  'wake-endpoint': { endpointId: string; at: number };
  'send-endpoint-disabled-email': { endpointId: string; disabledAt: number };
  'render-credit-note-pdf': { creditNoteId: string };
  'send-credit-note-email': { creditNoteId: string };
}

export type JobName = keyof JobPayloads;

export const QUEUE_NAMES = ['stripe-events', 'invoices', 'emails', 'deliveries'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Transient failures (database restarting, SMTP busy) are retried by BullMQ with backoff. */
const RETRY_TRANSIENT: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
};

export const JOBS: { [N in JobName]: { queue: QueueName; options: JobsOptions; jobId: (p: JobPayloads[N]) => string } } = {
  'dispatch-stripe-events': { queue: 'stripe-events', options: RETRY_TRANSIENT, jobId: (p) => `batch-${p.eventIds[0]}-${p.eventIds.length}` },
  'process-stripe-event': { queue: 'stripe-events', options: RETRY_TRANSIENT, jobId: (p) => p.eventId },
  'render-invoice-pdf': { queue: 'invoices', options: RETRY_TRANSIENT, jobId: (p) => `pdf-${p.invoiceId}` },
  'send-invoice-email': { queue: 'emails', options: RETRY_TRANSIENT, jobId: (p) => `mail-${p.invoiceId}` },
  // Delivery retries are scheduled by the delivery service itself (PostgreSQL
  // holds next_attempt_at), so BullMQ only runs each attempt once.
  'deliver-message': {
    queue: 'deliveries',
    options: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } },
    jobId: (p) => `${p.deliveryId}-a${p.attempt}`,
  },
  // Wakes only tell the worker to look at PostgreSQL, so a duplicate is
  // harmless and a completed one must not block the next wake at that time.
  'wake-endpoint': {
    queue: 'deliveries',
    options: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { count: 1000 } },
    jobId: (p) => `wake-${p.endpointId}-${p.at}`,
  },
  'send-endpoint-disabled-email': { queue: 'emails', options: RETRY_TRANSIENT, jobId: (p) => `endpoint-disabled-${p.endpointId}-${p.disabledAt}` },
  'render-credit-note-pdf': { queue: 'invoices', options: RETRY_TRANSIENT, jobId: (p) => `pdf-${p.creditNoteId}` },
  'send-credit-note-email': { queue: 'emails', options: RETRY_TRANSIENT, jobId: (p) => `mail-${p.creditNoteId}` },
};
