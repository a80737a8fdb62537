import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * Deletion by age, and nothing else, of the tables that grow with traffic. Each statement removes at most `batch`
 * rows so no lock is held long; RetentionService decides the ages and repeats until a batch comes back short.
 * The tables' other writes stay with their owners (libs/webhooks, libs/stripe, the api's idempotency).
 */
@Injectable()
export class RetentionRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** @crossTenant deletes attempts older than the cutoff for every partner; it reads nothing out. */
  async deleteAttemptsBefore(cutoff: Date, batch: number): Promise<number> {
    const [, n] = await this.db.query(`DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE attempted_at < $1 LIMIT $2)`, [cutoff, batch]);
    return n;
  }

  /**
   * @crossTenant deletes, for every partner, messages older than the cutoff whose every delivery is settled and
   * older too (nothing can replay them any more), with those deliveries and their attempts, in one transaction.
   */
  settledMessagesBefore(cutoff: Date, batch: number): Promise<{ messages: number; deliveries: number }> {
    return this.db.transaction(async (tx) => {
      const ids: { id: string }[] = await tx.query(
        `SELECT m.id FROM messages m WHERE m.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND (d.status = 'pending' OR d.created_at >= $1))
         LIMIT $2`,
        [cutoff, batch],
      );
      if (ids.length === 0) return { messages: 0, deliveries: 0 };
      const list = ids.map((r) => r.id);
      await tx.query(`DELETE FROM attempts WHERE message_id = ANY($1)`, [list]);
      const [, deliveries] = await tx.query(`DELETE FROM deliveries WHERE message_id = ANY($1)`, [list]);
      await tx.query(`DELETE FROM messages WHERE id = ANY($1)`, [list]);
      return { messages: list.length, deliveries };
    });
  }

  /** Processed or ignored Stripe events received before the cutoff; unrouted and failed ones wait for an operator. */
  async deleteSettledStripeEventsBefore(cutoff: Date, batch: number): Promise<number> {
    const [, n] = await this.db.query(
      `DELETE FROM stripe_events WHERE id IN (SELECT id FROM stripe_events WHERE status IN ('processed', 'ignored') AND received_at < $1 LIMIT $2)`,
      [cutoff, batch],
    );
    return n;
  }

  /** @crossTenant deletes stored idempotent responses created before the cutoff, for every partner; it reads nothing out. */
  async deleteIdempotencyKeysBefore(cutoff: Date, batch: number): Promise<number> {
    const [, n] = await this.db.query(
      `DELETE FROM idempotency_keys WHERE (partner_id, environment, key) IN
         (SELECT partner_id, environment, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)`,
      [cutoff, batch],
    );
    return n;
  }
}
