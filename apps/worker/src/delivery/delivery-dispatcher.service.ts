import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { JobQueue } from '@app/queue';
import { ClaimedDelivery, ClaimedEndpoint, CompletedAttempt, DeliveryService, RecordFollowUps } from '@app/webhooks';

const FLUSH_BATCH = 500;
/** Batches committing at once: one at a time makes every endpoint wait for the slowest commit. */
const PARALLEL_FLUSHES = 4;
const FLUSH_RETRIES = 3;

/**
 * Keeps partner requests in flight for this worker process. A queue job only
 * asks it to look at an endpoint ("pump"): it claims what that endpoint may
 * take now and starts the sends without awaiting them, so a partner that
 * hangs until the timeout holds sockets and leases, never a queue slot that
 * other partners need. Finished attempts are recorded in batches (group
 * commit); each batch frees its endpoints' slots and pumps them again.
 */
@Injectable()
export class DeliveryDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryDispatcher.name);
  private inFlight = 0;
  private readonly sends = new Set<Promise<void>>();
  private readonly pumping = new Set<string>();
  private readonly pumpAgain = new Set<string>();
  /** Endpoints left with work because this process was at its in-flight cap. */
  private readonly starved = new Set<string>();
  private buffer: CompletedAttempt[] = [];
  private readonly newDeliveries = new Set<string>();
  private lookup: Promise<void> | null = null;
  private readonly flushing = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly deliveries: DeliveryService,
    private readonly queue: JobQueue,
    private readonly config: AppConfig,
  ) {}

  /**
   * New deliveries arrive as one job each; their endpoints are looked up
   * together (one query for every job that arrived meanwhile) so a burst of
   * messages costs one claim per endpoint, not one per message.
   */
  pumpDelivery(deliveryId: string): Promise<void> {
    this.newDeliveries.add(deliveryId);
    this.lookup ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const ids = [...this.newDeliveries];
      this.newDeliveries.clear();
      this.lookup = null;
      const endpoints = await this.deliveries.endpointsOfDeliveries(ids);
      await Promise.all(endpoints.map((endpointId) => this.pump(endpointId)));
    });
    return this.lookup;
  }

  /** Claims and starts what `endpointId` may take now. Concurrent calls for one endpoint coalesce. */
  async pump(endpointId: string): Promise<void> {
    if (this.stopping) return;
    if (this.pumping.has(endpointId)) {
      this.pumpAgain.add(endpointId);
      return;
    }
    this.pumping.add(endpointId);
    try {
      do {
        this.pumpAgain.delete(endpointId);
        const room = this.config.webhookMaxInFlightPerWorker - this.inFlight;
        if (room <= 0) {
          this.starved.add(endpointId);
          return;
        }
        const claim = await this.deliveries.claim(endpointId, room);
        for (const d of claim.deliveries) this.launch(claim.endpoint!, d);
        if (claim.wakeAt) await this.wake(endpointId, claim.wakeAt);
      } while (this.pumpAgain.has(endpointId) && !this.stopping);
    } finally {
      this.pumping.delete(endpointId);
    }
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  private launch(endpoint: ClaimedEndpoint, delivery: ClaimedDelivery): void {
    this.inFlight++;
    const send = this.deliveries
      .send(endpoint, delivery)
      .then((done) => {
        this.buffer.push(done);
        if (this.flushing.size < PARALLEL_FLUSHES) {
          const flush: Promise<void> = this.flush().finally(() => this.flushing.delete(flush));
          this.flushing.add(flush);
        }
      })
      .catch((err) => this.logger.error(`Send of ${delivery.id} crashed: ${(err as Error).message}`))
      .finally(() => {
        this.inFlight--;
        this.sends.delete(send);
        if (this.starved.size > 0) {
          const waiting = [...this.starved];
          this.starved.clear();
          for (const id of waiting) this.pumpQuietly(id);
        }
      });
    this.sends.add(send);
  }

  /** Records whatever finished while the previous batch was committing, until nothing is left. */
  private async flush(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, FLUSH_BATCH);
      const followUps = await this.recordWithRetry(batch);
      if (followUps) await this.followUp(followUps);
    }
  }

  private async recordWithRetry(batch: CompletedAttempt[]): Promise<RecordFollowUps | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deliveries.record(batch);
      } catch (err) {
        if (attempt >= FLUSH_RETRIES) {
          // The leases will run out and these deliveries be sent again, same webhook-id: late, never lost.
          this.logger.error(`Could not record ${batch.length} attempt(s): ${(err as Error).message}`);
          return null;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  private async followUp(f: RecordFollowUps): Promise<void> {
    for (const endpointId of f.pump) this.pumpQuietly(endpointId);
    await Promise.all(f.wakes.map((w) => this.wake(w.endpointId, w.at)));
    const disabledAt = Date.now();
    await Promise.all(f.disabled.map((endpointId) => this.queue.tryEnqueue('send-endpoint-disabled-email', { endpointId, disabledAt })));
  }

  private async wake(endpointId: string, at: Date): Promise<void> {
    const delayMs = Math.max(0, at.getTime() - Date.now());
    await this.queue.tryEnqueue('wake-endpoint', { endpointId, at: at.getTime() }, { delayMs });
  }

  private pumpQuietly(endpointId: string): void {
    // A failure here is recovered by the sweeper, which wakes every endpoint with due work.
    this.pump(endpointId).catch((err) => this.logger.warn(`Pump of ${endpointId} failed: ${(err as Error).message}`));
  }

  /** Takes no more work, lets the sends in flight finish (bounded by the timeout) and records them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.sends]);
    while (this.flushing.size > 0) await Promise.allSettled([...this.flushing]);
  }
}
