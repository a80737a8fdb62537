import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { ChannelListener } from '@app/database';
import { isDatabaseUnavailable } from '@app/errors';
import { PaymentEventService } from '@app/orders';
import { ClaimedStripeEvent, sanitizeProcessingError, STRIPE_INBOX_CHANNEL, StripeEventRepository } from '@app/stripe';
import { withLogContext } from '@app/observability';

/** Events claimed and applied together, in one transaction. */
const BATCH = 20;
/**
 * Batches a process applies at once: while one waits for its invoice numbers (the partner's lock), the next
 * does its Stripe calls and order work.
 */
const BATCHES_IN_FLIGHT = 4;
/** How long a claim keeps other workers off; renewed while the batch runs, so it only lapses for a dead worker. */
const LEASE_MS = 3000;
const RENEW_MS = 1000;
/** The safety net under NOTIFY (a notification missed, a lease lapsed, a failed event's backoff over). */
const POLL_MS = 1000;
/**
 * A commit's notification is answered this long after it, by one claim for whatever committed meanwhile: a batch
 * costs about nine round trips whatever its size (claim, partners, orders, BEGIN, locks, writes, outcomes, COMMIT),
 * and answering each group commit of the api at once made batches of ~2.4 events at 100 events/s.
 */
const GATHER_MS = 20;

/**
 * The Stripe inbox's worker side: claims committed events from PostgreSQL in batches (no queue job per event)
 * and applies each batch in one transaction. Nothing is scheduled after the commit, and Redis is not on this
 * path: every message's deliveries NOTIFY delivery_due as they commit (the DeliveryDispatcher LISTENs and polls),
 * invoices and credit notes NOTIFY fiscal_document_issued (the DocumentStage LISTENs and polls). Woken by the inbox's NOTIFY and by a poll; two batches at a time per
 * process, other batches and processes claim other events (SKIP LOCKED). A batch that fails is applied again one event per
 * transaction, so one bad event neither blocks nor rolls back the others; its failures are counted as attempts
 * and the last one leaves it `failed` for an operator.
 */
@Injectable()
export class StripeInboxStage implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StripeInbox');
  private poll?: NodeJS.Timeout;
  private gathering?: NodeJS.Timeout;
  private readonly running = new Set<Promise<void>>();
  private requested = false;
  private pollDue = false;
  private stopped = false;
  private listener?: ChannelListener;

  constructor(
    private readonly inbox: StripeEventRepository,
    private readonly payments: PaymentEventService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Woken as each insert commits; on every (re)connection too, since what was announced meanwhile was missed.
    this.listener = new ChannelListener({
      databaseUrl: this.config.databaseUrl,
      channel: STRIPE_INBOX_CHANNEL,
      name: 'stripe-inbox',
      covers: 'the inbox poll covers the gap',
      onNotification: () => this.notified(),
      onListening: () => this.wake(),
    });
    void this.listener.start();
    this.poll = setInterval(() => this.wake(true), POLL_MS);
    this.wake(true);
  }

  /** An insert committed: claimed GATHER_MS later, with the others that commit meanwhile. */
  private notified(): void {
    if (this.gathering || this.stopped) return;
    this.gathering = setTimeout(() => {
      this.gathering = undefined;
      this.wake();
    }, GATHER_MS);
  }

  /** Claims what is pending now; `fromPoll` also looks for refunds whose invoice has arrived. */
  wake(fromPoll = false): void {
    if (this.stopped) return;
    this.requested = true;
    if (fromPoll) this.pollDue = true;
    if (this.running.size >= BATCHES_IN_FLIGHT) return;
    const drain: Promise<void> = this.drain().finally(() => {
      this.running.delete(drain);
      if (this.requested) this.wake();
    });
    this.running.add(drain);
  }

  private async drain(): Promise<void> {
    while (this.requested && !this.stopped) {
      this.requested = false;
      const withWaiting = this.pollDue;
      this.pollDue = false;
      let batch: ClaimedStripeEvent[];
      try {
        batch = await this.inbox.claimPending(BATCH, LEASE_MS);
        if (withWaiting && batch.length < BATCH) batch = batch.concat(await this.inbox.claimWaitingWithInvoice(BATCH - batch.length, LEASE_MS));
      } catch (err) {
        // PostgreSQL down: nothing is lost (the events are rows), the poll tries again.
        this.logger.warn(`Could not claim Stripe events: ${(err as Error).message}`);
        return;
      }
      if (batch.length === 0) continue;
      // A full batch may have left more behind: another batch claims it meanwhile (or this one, after).
      if (batch.length === BATCH) this.wake();
      await withLogContext({ job: 'stripe-inbox', job_id: undefined }, () => this.run(batch));
    }
  }

  private async run(batch: ClaimedStripeEvent[]): Promise<void> {
    const ids = batch.map((e) => e.id);
    const renew = setInterval(() => {
      this.inbox.renewClaims(ids, LEASE_MS).catch((err) => this.logger.warn(`Could not renew the claim of ${ids.length} event(s): ${(err as Error).message}`));
    }, RENEW_MS);
    try {
      try {
        await this.payments.applyBatch(batch);
      } catch (err) {
        // An outage is not the events' fault: uncounted, they are claimed again once their lease lapses.
        if (isDatabaseUnavailable(err)) {
          this.logger.warn(`Stripe events left for later, database unavailable: ${(err as Error).message}`);
          return;
        }
        if (batch.length > 1) await this.oneByOne(batch);
        else await this.recordFailure(batch[0].id, err);
      }
    } finally {
      clearInterval(renew);
    }
  }

  /** The batch failed as a whole: each event in its own transaction, so only the faulty ones fail. */
  private async oneByOne(batch: ClaimedStripeEvent[]): Promise<void> {
    for (const event of batch) {
      try {
        await this.payments.applyBatch([event]);
      } catch (err) {
        if (isDatabaseUnavailable(err)) {
          this.logger.warn(`Stripe events left for later, database unavailable: ${(err as Error).message}`);
          break;
        }
        await this.recordFailure(event.id, err);
      }
    }
  }

  private async recordFailure(eventId: string, err: unknown): Promise<void> {
    const status = await this.inbox.recordFailure(eventId, sanitizeProcessingError(err), this.config.stripeEventMaxAttempts).catch((e) => {
      this.logger.warn(`Could not record the failure of ${eventId} (its lease lapses, it runs again): ${(e as Error).message}`);
      return null;
    });
    if (status === 'failed') {
      // Stopped here rather than retried for ever: /admin/overview counts it, POST /admin/events/:id/retry reruns it.
      this.logger.error(`Stripe event ${eventId} failed on its last attempt; left for an operator`);
    } else {
      this.logger.warn(`Stripe event ${eventId} failed, will be retried: ${(err as Error).message}`);
    }
  }

  /** Stops claiming and lets the batch in hand commit. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    clearTimeout(this.gathering);
    await this.listener?.stop();
    await Promise.all(this.running);
  }
}
