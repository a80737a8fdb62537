import { Logger } from '@nestjs/common';
import type { CompletedAttempt, RecordFollowUps } from './attempt-record.repository';

const BATCH_MAX = 500;
/**
 * Finished attempts wait up to WAIT_MS, or until FULL of them, to be recorded together: recording each as it came
 * gave ~250 batches/s of 5-7 attempts, and PostgreSQL CPU per batch (not per attempt) was the limit. A 2xx frees its
 * slot before recording (DeliveryDispatcher), so the wait holds no partner back; a failure holds its slot a little longer.
 */
const WAIT_MS = 5;
const FULL = 200;
/** Batches committing at once: one at a time makes every endpoint wait for the slowest commit. */
const PARALLEL = 4;
const RETRIES = 3;

/**
 * The dispatcher's group commit of finished attempts: collects them, records them in batches (`record`), and hands
 * each batch with its follow-ups (or null when it could not be recorded) to `recorded`.
 */
export class AttemptBatches {
  private readonly logger = new Logger(AttemptBatches.name);
  private buffer: CompletedAttempt[] = [];
  private readonly flushing = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  /** Set by drain: every batch that ends starts the next at once, until the buffer is empty. */
  private draining = false;

  constructor(
    private readonly record: (batch: CompletedAttempt[]) => Promise<RecordFollowUps>,
    /** Called once per batch: recorded (with its follow-ups), or given up on (null: the next pick sends it again, same webhook-id). */
    private readonly recorded: (batch: CompletedAttempt[], followUps: RecordFollowUps | null) => Promise<void>,
  ) {}

  add(done: CompletedAttempt): void {
    this.buffer.push(done);
    this.schedule();
  }

  /** Records everything added so far, however few, and resolves when every batch has ended. */
  async drain(): Promise<void> {
    this.draining = true;
    this.start();
    while (this.flushing.size > 0) await Promise.allSettled([...this.flushing]);
  }

  /** Records the buffer now when it is full (or draining), else once the first of it has waited WAIT_MS. */
  private schedule(): void {
    if (this.buffer.length === 0) return;
    if (this.buffer.length >= FULL || this.draining) return this.start();
    this.timer ??= setTimeout(() => this.start(), WAIT_MS);
  }

  /** Up to PARALLEL batches commit at once; a batch that ends schedules what arrived meanwhile. */
  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0 || this.flushing.size >= PARALLEL) return;
    const batch = this.buffer.splice(0, BATCH_MAX);
    const flush: Promise<void> = this.recordWithRetry(batch)
      .then((followUps) => this.recorded(batch, followUps))
      .finally(() => {
        this.flushing.delete(flush);
        this.schedule();
      });
    this.flushing.add(flush);
  }

  private async recordWithRetry(batch: CompletedAttempt[]): Promise<RecordFollowUps | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.record(batch);
      } catch (err) {
        if (attempt >= RETRIES) {
          // No longer held here, these deliveries are picked and sent again, same webhook-id: late, never lost.
          this.logger.error(`Could not record ${batch.length} attempt(s): ${(err as Error).message}`);
          return null;
        }
        // Said each time: while a batch waits to be recorded again its deliveries hold their endpoints' slots.
        this.logger.warn(`Could not record ${batch.length} attempt(s), try ${attempt} of ${RETRIES}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }
}
