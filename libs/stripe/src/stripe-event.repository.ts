import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { managerOf, queryNamedOnPool, type StripeEventStatus, type Tx } from '@app/database';

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

/** An event a worker has claimed: what it needs to apply it. */
export interface ClaimedStripeEvent {
  id: string;
  status: StripeEventStatus;
  payload: Record<string, unknown>;
  receivedAt: Date;
}

/** What applying an event came to. */
export interface StripeEventOutcome {
  id: string;
  status: StripeEventStatus;
  detail: string | null;
  partnerId: string | null;
}

/** Committing a pending event NOTIFYs this channel (the api's insert, an operator's retry): workers claim at once. */
export const STRIPE_INBOX_CHANNEL = 'stripe_inbox';

/** A verified event as the inbox stores it: its columns and the body Stripe signed, as text. */
export interface InboxEvent {
  id: string;
  type: string;
  livemode: boolean;
  json: string;
}

/** The most events one insert carries: InboxWriter's flushes are cut to it. */
export const MAX_INBOX_INSERT = 512;

/**
 * The batch as a VALUES list, each payload a text parameter stored as sent, never re-serialised (the column is
 * text: the api stores only a body JSON.parse accepted, and PostgreSQL validating it again cost 13% of its CPU
 * per event, see migration InboxInsertCost1763801000000). Kept over `unnest` after measuring both: an escaped `text[]` of payloads costs
 * the api 15-40 µs per event to escape and PostgreSQL an array parse; one binary parameter of all payloads
 * cut by `substring` + `convert_from` + a cast to json costs PostgreSQL copies and validations per row, on
 * the same cores: this VALUES list was 1.22x its throughput (bench:ingest, medians of 4 alternating rounds).
 *
 * Parsing and planning a VALUES list of hundreds of parameters cost PostgreSQL more than inserting its rows,
 * so the statement is a named (prepared) one, parsed once per connection: one text per size of batch,
 * sizes rounded up to a power of two (8 … 512, so at most 7 per connection), the rows past the batch sent as
 * NULLs (4 bytes each) and dropped by the WHERE. Measured (2 clients, batches of 10-49 events of 3 KB, shared
 * 2-core machine at load ~7, 2026-12-04): unnamed 8.5-14.1k events/s, named 16.1-19.2k.
 */
function insertEvents(size: number): { name: string; text: string } {
  const rows = new Array<string>(size);
  for (let i = 0; i < size; i++) rows[i] = `($${i * 4 + 1}::text, $${i * 4 + 2}::text, $${i * 4 + 3}::boolean, $${i * 4 + 4}::text)`;
  return {
    name: `stripe_inbox_insert_${size}`,
    text: `INSERT INTO stripe_events (id, type, livemode, payload)
           SELECT * FROM (VALUES ${rows.join(', ')}) e (id, type, livemode, payload) WHERE e.id IS NOT NULL
           ON CONFLICT (id) DO NOTHING RETURNING id`,
  };
}

const INSERT_SIZES = [8, 16, 32, 64, 128, 256, MAX_INBOX_INSERT];
const INSERT_STATEMENTS = new Map(INSERT_SIZES.map((size) => [size, insertEvents(size)]));

/**
 * Announces committed events to the workers. Its own statement, sent after the INSERT has committed, not
 * inside it: PostgreSQL serialises the commits of transactions that NOTIFY (a lock held until their WAL is
 * flushed, to keep the queue in commit order), so a NOTIFY in the INSERT made the two flushes in flight commit one after the other. Measured here (4
 * clients × 300 autocommit inserts of 3 KB): 2.1-2.4 s without NOTIFY, 4.1-5.1 s with it in the INSERT,
 * 1.8-2.1 s with it as a statement of its own after the commit. Its own commit does not wait for the disk
 * (`synchronous_commit` off for this statement only): the rows it announces are durable already, and a
 * notification lost in a crash leaves them to the sweeper, so it need not add a WAL flush per batch to the
 * disk the INSERTs wait for. Sent after the commit, it can never announce a row the worker cannot see yet.
 */
const NOTIFY_WORKER = `SELECT set_config('synchronous_commit', 'off', true), pg_notify('${STRIPE_INBOX_CHANNEL}', '')`;

export interface StripeEventCursor {
  receivedAt: Date;
  id: string;
}

export type RetryOutcome = { kind: 'retried' } | { kind: 'not_found' } | { kind: 'not_failed'; status: StripeEventStatus };

/**
 * Owner of the Stripe inbox (stripe_events): the api's insert of verified events, the worker's claims and
 * outcomes, failed attempts, events an operator must look at, refunds waiting for their invoice. Plain SQL:
 * each is one set-based statement.
 */
@Injectable()
export class StripeEventRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Inserts the events in one autocommit statement and returns the ids that were new (the others were known
   * already). The ids must be distinct: the caller folds duplicates of one batch.
   */
  async insertNew(events: readonly InboxEvent[]): Promise<Set<string>> {
    const size = INSERT_SIZES.find((n) => n >= events.length);
    if (size === undefined) throw new Error(`At most ${MAX_INBOX_INSERT} events per inbox insert, not ${events.length}`);
    const params = new Array<unknown>(size * 4).fill(null);
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      params[i * 4] = e.id;
      params[i * 4 + 1] = e.type;
      params[i * 4 + 2] = e.livemode;
      params[i * 4 + 3] = e.json;
    }
    // See insertEvents for why it is named.
    const { rows } = await queryNamedOnPool<{ id: string }>(this.db, INSERT_STATEMENTS.get(size)!, params);
    return new Set(rows.map((r) => r.id));
  }

  /** Tells the worker (LISTEN stripe_inbox) that committed events wait in the inbox. */
  async notifyWorker(): Promise<void> {
    await this.db.query(NOTIFY_WORKER);
  }

  /**
   * Claims up to `limit` committed events still to process, oldest first, for `leaseMs`: another worker skips
   * them until the lease lapses (a killed worker's events are then taken again). Events `failed` (an
   * operator's) or `waiting` (for their invoice, see claimWaitingWithInvoice) are not pending.
   */
  async claimPending(limit: number, leaseMs: number): Promise<ClaimedStripeEvent[]> {
    return this.claim(`status = 'received'`, limit, leaseMs);
  }

  /** Refunds parked for want of an invoice whose order now has one: they can be credited. */
  async claimWaitingWithInvoice(limit: number, leaseMs: number): Promise<ClaimedStripeEvent[]> {
    return this.claim(
      `status = 'waiting' AND EXISTS (
          SELECT 1 FROM orders o JOIN invoices i ON i.order_id = o.id
           WHERE o.payment_intent_id = e.payload::json -> 'data' -> 'object' ->> 'payment_intent'
             AND o.partner_id = e.partner_id
             AND o.environment = CASE WHEN e.livemode THEN 'production' ELSE 'staging' END)`,
      limit,
      leaseMs,
    );
  }

  private async claim(pending: string, limit: number, leaseMs: number): Promise<ClaimedStripeEvent[]> {
    // TypeORM answers an UPDATE with [rows, affected count]. RETURNING has no order: sorted here.
    const [rows]: [(Omit<ClaimedStripeEvent, 'payload'> & { payload: string })[], number] = await this.db.query(
      `UPDATE stripe_events s SET claimed_until = now() + $2 * interval '1 millisecond'
         FROM (SELECT e.id FROM stripe_events e
                WHERE ${pending} AND (e.claimed_until IS NULL OR e.claimed_until < now())
                ORDER BY e.received_at, e.id
                LIMIT $1
                FOR UPDATE SKIP LOCKED) due
        WHERE s.id = due.id
        RETURNING s.id, s.status, s.payload, s.received_at AS "receivedAt"`,
      [limit, leaseMs],
    );
    rows.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    // The payload column is text (the driver parsed json columns the same way): only bodies JSON.parse accepted are stored.
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> }));
  }

  /**
   * Extends the lease of claimed events still pending. Rows the batch's transaction holds are skipped, not
   * waited for: that lock already keeps other workers out (their claim skips locked rows).
   */
  async renewClaims(ids: string[], leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(
      `UPDATE stripe_events s SET claimed_until = now() + $2 * interval '1 millisecond'
         FROM (SELECT id FROM stripe_events WHERE id = ANY($1) AND status IN ('received', 'waiting') FOR UPDATE SKIP LOCKED) mine
        WHERE s.id = mine.id`,
      [ids, leaseMs],
    );
  }

  /**
   * Locks these events until `tx` ends and returns those still pending (another worker may have applied one
   * after this worker's lease lapsed): whoever locks second sees the first one's outcome.
   */
  async lockStillPending(tx: Tx, ids: string[]): Promise<Set<string>> {
    const rows: { id: string }[] = await managerOf(tx).query(
      `SELECT id FROM stripe_events WHERE id = ANY($1) AND status IN ('received', 'waiting') ORDER BY id FOR UPDATE`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Records what applying each event came to, in one statement; a `waiting` event stays unprocessed. */
  async recordOutcomes(tx: Tx, outcomes: StripeEventOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await managerOf(tx).query(
      `UPDATE stripe_events e
          SET status = o.status, detail = o.detail, partner_id = o.partner_id,
              processed_at = CASE WHEN o.status = 'waiting' THEN NULL ELSE now() END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS o(id, status, detail, partner_id)
        WHERE e.id = o.id`,
      [outcomes.map((o) => o.id), outcomes.map((o) => o.status), outcomes.map((o) => o.detail), outcomes.map((o) => o.partnerId)],
    );
  }

  /**
   * Counts one failed attempt and keeps its error; the attempt that reaches `maxAttempts` marks the event
   * `failed`. Until then the event's claim is held for a backoff that doubles with each attempt (1 s, 2 s, 4 s…,
   * at most a minute), so a broken event is not retried in a tight loop. Null when the event is no longer
   * pending (processed meanwhile, or gone).
   */
  async recordFailure(id: string, error: string, maxAttempts: number): Promise<StripeEventStatus | null> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [{ status: StripeEventStatus }[], number] = await this.db.query(
      `UPDATE stripe_events
          SET attempts = attempts + 1, last_error = $2,
              status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE status END,
              failed_at = CASE WHEN attempts + 1 >= $3 THEN now() ELSE failed_at END,
              claimed_until = now() + least(power(2, attempts), 60) * interval '1 second'
        WHERE id = $1 AND status IN ('received', 'waiting')
        RETURNING status`,
      [id, error, maxAttempts],
    );
    return rows[0]?.status ?? null;
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

  /**
   * A failed event becomes pending again, with a fresh count of attempts and no claim; its last error stays until
   * it succeeds. The workers hear of it on commit (NOTIFY), like a new event.
   */
  async retryFailed(id: string): Promise<RetryOutcome> {
    const updated: { id: string }[] = await this.db.query(
      `WITH retried AS (
         UPDATE stripe_events SET status = 'received', attempts = 0, failed_at = NULL, claimed_until = NULL
          WHERE id = $1 AND status = 'failed' RETURNING id)
       SELECT id, pg_notify('${STRIPE_INBOX_CHANNEL}', '') FROM retried`,
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
