import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { StripeEventStatus } from '@app/database';

/** An inbox row as operators see it: never the payload, which holds customers' data. */
export interface StripeEventSummary {
  id: string;
  type: string;
  livemode: boolean;
  status: StripeEventStatus;
  partnerId: string | null;
  detail: string | null;
  attempts: number;
  lastError: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  failedAt: Date | null;
}

export interface StripeEventCursor {
  receivedAt: Date;
  id: string;
}

export type RetryOutcome = { kind: 'retried' } | { kind: 'not_found' } | { kind: 'not_failed'; status: StripeEventStatus };

/**
 * The inbox's failure and parking side (stripe_events): failed attempts, events an operator must look at,
 * refunds waiting for their invoice. Plain SQL: each is one set-based statement.
 */
@Injectable()
export class StripeEventRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Counts one failed attempt and keeps its error; the attempt that reaches `maxAttempts` marks the event
   * `failed`. Null when the event is no longer pending (processed meanwhile, or gone).
   */
  async recordFailure(id: string, error: string, maxAttempts: number): Promise<StripeEventStatus | null> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [{ status: StripeEventStatus }[], number] = await this.db.query(
      `UPDATE stripe_events
          SET attempts = attempts + 1, last_error = $2,
              status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE status END,
              failed_at = CASE WHEN attempts + 1 >= $3 THEN now() ELSE failed_at END
        WHERE id = $1 AND status IN ('received', 'waiting')
        RETURNING status`,
      [id, error, maxAttempts],
    );
    return rows[0]?.status ?? null;
  }

  /** Committed events still to process, older than `cutoff` (failed and waiting ones are not pending). */
  async pendingSince(cutoff: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM stripe_events WHERE status = 'received' AND received_at < $1 ORDER BY received_at LIMIT $2`,
      [cutoff, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Refunds parked for want of an invoice whose order now has one: they can be credited. */
  async waitingWithInvoice(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT e.id FROM stripe_events e
        WHERE e.status = 'waiting' AND EXISTS (
          SELECT 1 FROM orders o JOIN invoices i ON i.order_id = o.id
           WHERE o.payment_intent_id = e.payload -> 'data' -> 'object' ->> 'payment_intent'
             AND o.partner_id = e.partner_id
             AND o.environment = CASE WHEN e.livemode THEN 'production' ELSE 'staging' END)
        ORDER BY e.received_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /** Newest first, keyset-paged on (received_at to the millisecond, id), so a page never repeats or skips a row. */
  async page(status: StripeEventStatus | undefined, limit: number, after?: StripeEventCursor): Promise<StripeEventSummary[]> {
    return this.db.query(
      `SELECT id, type, livemode, status, partner_id AS "partnerId", detail, attempts, last_error AS "lastError",
              date_trunc('milliseconds', received_at) AS "receivedAt", processed_at AS "processedAt", failed_at AS "failedAt"
         FROM stripe_events
        WHERE ($1::text IS NULL OR status = $1)
          AND ($2::timestamptz IS NULL OR (date_trunc('milliseconds', received_at), id) < ($2::timestamptz, $3::text))
        ORDER BY date_trunc('milliseconds', received_at) DESC, id DESC
        LIMIT $4`,
      [status ?? null, after?.receivedAt ?? null, after?.id ?? null, limit],
    );
  }

  /** A failed event becomes pending again, with a fresh count of attempts; its last error stays until it succeeds. */
  async retryFailed(id: string): Promise<RetryOutcome> {
    const [updated]: [{ id: string }[], number] = await this.db.query(
      `UPDATE stripe_events SET status = 'received', attempts = 0, failed_at = NULL WHERE id = $1 AND status = 'failed' RETURNING id`,
      [id],
    );
    if (updated.length) return { kind: 'retried' };
    const [row]: { status: StripeEventStatus }[] = await this.db.query(`SELECT status FROM stripe_events WHERE id = $1`, [id]);
    return row ? { kind: 'not_failed', status: row.status } : { kind: 'not_found' };
  }

  /** What needs an operator, for /admin/overview. */
  async attentionCounts(): Promise<{ unrouted: number; received: number; oldestReceivedSeconds: number | null; failed: number; waiting: number }> {
    const [row] = await this.db.query(
      `SELECT count(*) FILTER (WHERE status = 'unrouted')::int AS unrouted,
              count(*) FILTER (WHERE status = 'received')::int AS received,
              extract(epoch FROM now() - min(received_at) FILTER (WHERE status = 'received'))::float AS oldest,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'waiting')::int AS waiting
         FROM stripe_events`,
    );
    return { unrouted: row.unrouted, received: row.received, oldestReceivedSeconds: row.oldest === null ? null : Math.round(row.oldest), failed: row.failed, waiting: row.waiting };
  }
}
