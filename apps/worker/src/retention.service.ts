import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { RetentionRepository } from './retention.repository';

const BATCH = 5000;
const EVERY_MS = 3600 * 1000;

export interface PruneReport {
  attempts: number;
  deliveries: number;
  messages: number;
  stripeEvents: number;
  idempotencyKeys: number;
}

/**
 * Keeps the tables that grow with traffic bounded: attempts, settled
 * deliveries and their messages, and processed Stripe events older than
 * RETENTION_DAYS; idempotency keys after their 24 hours. Orders, invoices,
 * credit notes and their PDFs are legal records and are never pruned;
 * unrouted Stripe events stay until an operator deals with them.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly rows: RetentionRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.prune().catch((err) => this.logger.warn(`Pruning failed: ${(err as Error).message}`));
    }, EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async prune(now = new Date()): Promise<PruneReport> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * 24 * 3600 * 1000);
    const report: PruneReport = { attempts: 0, deliveries: 0, messages: 0, stripeEvents: 0, idempotencyKeys: 0 };
    report.attempts = await inBatches((batch) => this.rows.deleteAttemptsBefore(cutoff, batch));
    for (;;) {
      const { messages, deliveries } = await this.rows.settledMessagesBefore(cutoff, BATCH);
      report.messages += messages;
      report.deliveries += deliveries;
      if (messages < BATCH) break;
    }
    report.stripeEvents = await inBatches((batch) => this.rows.deleteSettledStripeEventsBefore(cutoff, batch));
    // An idempotency key answers retries for 24 hours, whatever RETENTION_DAYS says.
    report.idempotencyKeys = await inBatches((batch) => this.rows.deleteIdempotencyKeysBefore(new Date(now.getTime() - 24 * 3600 * 1000), batch));
    if (Object.values(report).some((n) => n > 0)) this.logger.log(`Pruned ${JSON.stringify(report)}`);
    return report;
  }
}

/** Repeats a bounded delete until a batch comes back short, so no statement holds its locks for long. */
async function inBatches(deleteBatch: (batch: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteBatch(BATCH);
    total += n;
    if (n < BATCH) return total;
  }
}
