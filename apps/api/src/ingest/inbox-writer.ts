import { Injectable, Logger } from '@nestjs/common';
import { InboxEvent, MAX_INBOX_INSERT, StripeEventRepository } from '@app/stripe';

interface Waiting {
  event: InboxEvent;
  resolve: (outcome: 'stored' | 'duplicate') => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = MAX_INBOX_INSERT;
/**
 * One INSERT at a time: the requests that arrive meanwhile make the next one twice as large as with two in flight,
 * and PostgreSQL's cost per flush (bind, commit, its WAL flush) is then shared by twice as many events. Measured
 * with NOTIFY at most every NOTIFY_INTERVAL_MS (bench:ingest 2026-12-05, 2 runs of 3 alternating rounds, load
 * 2.4-4.8): medians 6,038 and 5,942/s, p99 22-23 ms, ~55 us of PostgreSQL CPU per event with one; 5,552 and 4,041/s, p99 24-29 ms
 * and ~70 us with two. (With a NOTIFY per flush, one and two were the same within noise.)
 */
const MAX_FLUSHES_IN_FLIGHT = 1;
/**
 * At most one NOTIFY per this interval, the first at once: a worker answers a notification by gathering for 20 ms
 * (GATHER_MS in apps/worker/src/stripe-inbox.stage.ts) and ignores the ones that arrive meanwhile, so one per group
 * commit was mostly wasted. At ~4,700 events/s the api flushed ~12 events at a time, and each flush's NOTIFY was a
 * statement and a transaction of its own for PostgreSQL and a round trip for the api, about as many as the INSERTs.
 * Costs a new event at most this long before a worker hears of it.
 */
const NOTIFY_INTERVAL_MS = 10;

/**
 * Group commit for the Stripe inbox: requests that arrive while a commit is
 * in flight are written together by the next one, in one INSERT (one
 * autocommit statement, see StripeEventRepository.insertNew). Each request is answered only
 * after its row is committed, so every 2xx is durable. No Redis here: once a
 * flush stored something new, the worker is told (NOTIFY stripe_inbox) and
 * claims committed rows itself; the sweeper is the fallback for a lost one.
 */
@Injectable()
export class InboxWriter {
  private readonly logger = new Logger(InboxWriter.name);
  private waiting: Waiting[] = [];
  private inFlight = 0;
  /** At most one notification in flight (or waiting for NOTIFY_INTERVAL_MS) and one more owed: a worker woken once claims every committed row. */
  private notifying = false;
  private notifyOwed = false;
  private lastNotifyAt = 0;
  private notifyTimer?: NodeJS.Timeout;

  constructor(private readonly inbox: StripeEventRepository) {}

  accept(event: InboxEvent): Promise<'stored' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ event, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.inFlight < MAX_FLUSHES_IN_FLIGHT) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: Waiting[]): Promise<void> {
    // The same event twice in one batch would make ON CONFLICT see its own row.
    const unique = new Map<string, InboxEvent>();
    for (const w of batch) unique.set(w.event.id, w.event);
    let inserted: Set<string>;
    try {
      inserted = await this.inbox.insertNew([...unique.values()]);
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    const answered = new Set<string>();
    for (const w of batch) {
      const first = inserted.has(w.event.id) && !answered.has(w.event.id);
      answered.add(w.event.id);
      w.resolve(first ? 'stored' : 'duplicate');
    }
    if (inserted.size > 0) this.wakeWorker();
  }

  /** Not awaited by the requests: their rows are committed; a lost notification leaves them to the sweeper. */
  private wakeWorker(): void {
    if (this.notifying || this.notifyTimer) {
      this.notifyOwed = true;
      return;
    }
    const wait = this.lastNotifyAt + NOTIFY_INTERVAL_MS - Date.now();
    if (wait > 0) {
      // Unref'd: at shutdown the rows are committed already, and the worker's poll finds them.
      this.notifyTimer = setTimeout(() => {
        this.notifyTimer = undefined;
        this.wakeWorker();
      }, wait).unref();
      return;
    }
    this.notifying = true;
    this.notifyOwed = false;
    this.lastNotifyAt = Date.now();
    this.inbox.notifyWorker().then(
      () => this.afterNotify(),
      (err: unknown) => {
        this.logger.warn(`Could not notify the worker of new Stripe events; the sweeper will find them: ${(err as Error).message}`);
        this.afterNotify();
      },
    );
  }

  private afterNotify(): void {
    this.notifying = false;
    if (this.notifyOwed) this.wakeWorker();
  }
}
