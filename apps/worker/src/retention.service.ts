import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';

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
    @InjectDataSource() private readonly db: DataSource,
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
    report.attempts = await this.inBatches(`DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE attempted_at < $1 LIMIT ${BATCH})`, [cutoff]);
    // A message goes once every delivery of it is settled and old: nothing can replay it any more.
    const oldMessages = `SELECT m.id FROM messages m WHERE m.created_at < $1
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND (d.status = 'pending' OR d.created_at >= $1))
      LIMIT ${BATCH}`;
    for (;;) {
      const n = await this.db.transaction(async (tx) => {
        const ids: { id: string }[] = await tx.query(oldMessages, [cutoff]);
        if (ids.length === 0) return 0;
        const list = ids.map((r) => r.id);
        await tx.query(`DELETE FROM attempts WHERE message_id = ANY($1)`, [list]);
        const [, deliveries] = await tx.query(`DELETE FROM deliveries WHERE message_id = ANY($1)`, [list]);
        await tx.query(`DELETE FROM messages WHERE id = ANY($1)`, [list]);
        report.deliveries += deliveries;
        report.messages += list.length;
        return list.length;
      });
      if (n < BATCH) break;
    }
    report.stripeEvents = await this.inBatches(
      `DELETE FROM stripe_events WHERE id IN (SELECT id FROM stripe_events WHERE status IN ('processed', 'ignored') AND received_at < $1 LIMIT ${BATCH})`,
      [cutoff],
    );
    report.idempotencyKeys = await this.inBatches(
      `DELETE FROM idempotency_keys WHERE (partner_id, environment, key) IN
         (SELECT partner_id, environment, key FROM idempotency_keys WHERE created_at < $1 LIMIT ${BATCH})`,
      [new Date(now.getTime() - 24 * 3600 * 1000)],
    );
    if (Object.values(report).some((n) => n > 0)) this.logger.log(`Pruned ${JSON.stringify(report)}`);
    return report;
  }

  private async inBatches(sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const [, n] = await this.db.query(sql, params);
      total += n;
      if (n < BATCH) return total;
    }
  }
}
