/**
 * The delivery bench's producers: order rows and their partner messages committed through the outbox
 * transaction, as the order and invoice processors commit them. `bench-delivery.ts` uses `publish` for its
 * backlog, and forks this file (argument `producer`) for the delay part: each producer process has its own Nest
 * context and pool, so the offered rate is not bounded by the event loop that also hosts the partner receiver
 * (round 1: 350-400 messages/s offered of 1,000 asked, its transactions idle waiting for that loop). A producer
 * commits several messages per outbox transaction, as the apply stage commits `order.paid` for a batch of up to 20
 * Stripe events: one message per transaction reached only 360-700 messages/s on 2 cores (issue #15).
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppConfig, ConfigModule } from '@app/config';
import { asTx, DatabaseModule, newId, scopeForOperator, TenantScope } from '@app/database';
import { QueueModule } from '@app/queue';
import { OutboxService, WebhooksModule } from '@app/webhooks';

@Module({ imports: [DatabaseModule, QueueModule, WebhooksModule] })
export class ProducerModule {}

/** What the parent asks a producer process for: its share of the rate, over the partners given. */
export interface ProducerOrder {
  env: Record<string, string>;
  partnerIds: string[];
  /** Messages per second this producer decides to send. */
  rate: number;
  seconds: number;
  /** Messages per outbox transaction at most: what was decided since the last transaction, as the apply stage commits a batch. */
  batch: number;
  /** Where this producer starts its round-robin over the partners, so producers spread over endpoints. */
  firstPartner: number;
  /** Transactions this producer keeps in flight at most (its pool's size bounds them anyway). */
  maxInFlight: number;
  /** Seconds offered at the same rate before the measured ones (their messages are not counted), then 'warmed' and a second 'go'. */
  warmupSeconds: number;
}

/** What a producer says once its warm-up is committed. */
export interface ProducerWarmedUp {
  warmedUp: number;
}

/** What a producer reports back: messages decided and committed, go -> last decision and -> last commit, and per transaction and message timings. */
export interface ProducerReport {
  sent: number;
  /** Go -> the last message decided. */
  decidedSeconds: number;
  seconds: number;
  /** Messages in each outbox transaction. */
  batchSizes: number[];
  /** Each transaction's BEGIN -> COMMIT returned. */
  transactionMs: number[];
  /** Each message's order id and when its transaction's commit returned (epoch ms), to split its delay by stage. */
  committed: [orderId: string, at: number][];
}

export async function producerContext(env: Record<string, string>) {
  return NestFactory.createApplicationContext(
    { module: ProducerModule, imports: [ConfigModule.forRoot(AppConfig.fromEnv(env))] },
    { logger: ['error', 'warn'] },
  );
}

/** A transaction of `publish`: its orders, when it began and when its commit returned (epoch ms). */
export interface Published {
  orderIds: string[];
  began: number;
  committed: number;
}

/**
 * One outbox transaction of `count` messages for the partners from `first` on (round-robin), as a processor writes
 * them. Message i is created at `decidedAt[i]` when given (when the producer decided to send it: the delay a partner
 * sees starts there, queueing for a connection included), else when the transaction runs.
 */
export async function publish(
  db: DataSource,
  outbox: OutboxService,
  scopes: TenantScope[],
  first: number,
  count: number,
  decidedAt?: number[],
): Promise<Published> {
  const orderIds = Array.from({ length: count }, () => newId('ord'));
  let began = 0;
  await db.transaction(async (tx) => {
    began = Date.now();
    const createdAt = new Date();
    await tx.query(
      `INSERT INTO orders (id, partner_id, environment, status, currency, amount_total, line_items)
       SELECT o.id, o.partner_id, 'staging', 'paid', 'eur', 11750, '[]' FROM unnest($1::text[], $2::text[]) AS o(id, partner_id)`,
      [orderIds, orderIds.map((_, i) => scopes[(first + i) % scopes.length].partnerId)],
    );
    for (let i = 0; i < count; i++) {
      const created = decidedAt ? new Date(decidedAt[i]) : createdAt;
      await outbox.record(asTx(tx), scopes[(first + i) % scopes.length], 'order.expired', orderIds[i], benchOrder(orderIds[i]) as never, created);
    }
  });
  return { orderIds, began, committed: Date.now() };
}

/**
 * Decides `rate` messages a second for `seconds`, every 10 ms (all those due by then), and commits what was decided and not yet written in
 * outbox transactions of at most `batch` messages, several in flight, as the apply stage commits the Stripe events
 * that arrived during its last batch. When every transaction slot is busy, decided messages wait (their delay
 * grows) while the decisions go on at the asked rate: the rate offered is not lowered to what the database keeps up with.
 */
async function produce(order: ProducerOrder, go: () => Promise<unknown>): Promise<ProducerReport> {
  const app = await producerContext(order.env);
  const db = app.get(DataSource);
  const outbox = app.get(OutboxService);
  const scopes = order.partnerIds.map((id) => scopeForOperator({ id }, 'staging'));
  // Connections opened before the clock starts: the steady state is what is measured.
  await Promise.all(Array.from({ length: 8 }, () => db.query('SELECT 1')));
  // Every producer booted before any starts, so their rates add up over the same seconds.
  process.send!('ready');
  await go();
  if (order.warmupSeconds > 0) {
    // The same code at the same rate first: what a process that has been running for a while does, JIT included.
    const warm = await offer(db, outbox, scopes, order, order.warmupSeconds);
    process.send!({ warmedUp: warm.sent } satisfies ProducerWarmedUp);
    await go();
  }
  const report = await offer(db, outbox, scopes, order, order.seconds);
  await app.close();
  return report;
}

/** `order.rate` messages a second for `seconds`, as produce() says. */
async function offer(db: DataSource, outbox: OutboxService, scopes: TenantScope[], order: ProducerOrder, seconds: number): Promise<ProducerReport> {
  const report: ProducerReport = { sent: 0, decidedSeconds: 0, seconds: 0, batchSizes: [], transactionMs: [], committed: [] };
  const inFlight = new Set<Promise<unknown>>();
  /** Decided, not yet in a transaction: when, and for which partner (consecutive, round-robin). */
  const decided: { at: number; partner: number }[] = [];
  let next = order.firstPartner;
  const commitDecided = () => {
    while (decided.length > 0 && inFlight.size < order.maxInFlight) {
      const batch = decided.splice(0, order.batch);
      const p = publish(db, outbox, scopes, batch[0].partner, batch.length, batch.map((d) => d.at))
        .then((t) => {
          report.batchSizes.push(batch.length);
          report.transactionMs.push(t.committed - t.began);
          for (const id of t.orderIds) report.committed.push([id, t.committed]);
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  };
  const started = Date.now();
  const total = Math.round(seconds * order.rate);
  for (let tick = 1; report.sent < total; tick++) {
    // Every message due by now, however late this tick runs (a starved event loop ran 1,000 ticks in 14 s): a late
    // tick decides more messages, and the rate decided stays the one asked.
    const now = Date.now();
    const owed = Math.min(total, Math.floor(((now - started) * order.rate) / 1000)) - report.sent;
    for (let m = 0; m < owed; m++) {
      decided.push({ at: now, partner: next });
      next = (next + 1) % scopes.length;
    }
    report.sent += owed;
    if (owed > 0) report.decidedSeconds = (now - started) / 1000;
    commitDecided();
    const tickEnd = started + tick * 10;
    // A transaction slot freed before the tick's end takes the waiting messages at once, not at the next tick.
    while (decided.length > 0 && inFlight.size >= order.maxInFlight && Date.now() < tickEnd) {
      await Promise.race([...inFlight, sleep(tickEnd - Date.now())]);
      commitDecided();
    }
    await sleep(Math.max(0, tickEnd - Date.now()));
  }
  while (decided.length > 0 || inFlight.size > 0) {
    commitDecided();
    await Promise.race(inFlight);
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An order payload padded to about 2 KB, as the bare sender measured. */
export function benchOrder(id: string) {
  return {
    id,
    environment: 'staging',
    status: 'expired',
    partner_order_ref: `CMD-${id.slice(-6)}`,
    amount_total: 11750,
    currency: 'eur',
    customer: { email: 'camille@example.test', name: 'Camille Martin', stripe_customer_id: 'cus_bench' },
    line_items: [
      { name: 'Lampe Aurore', quantity: 2, unit_amount: 4990, vat_rate: 20, amount_total: 9980 },
      { name: 'Ampoule LED', quantity: 3, unit_amount: 590, vat_rate: 20, amount_total: 1770 },
    ],
    stripe: { event_id: null, checkout_session_id: `cs_test_${id}`, payment_intent_id: null },
    metadata: { note: 'x'.repeat(1400) },
  };
}

// Forked by bench-delivery.ts: take the order, boot, say 'ready', wait for 'go', warm up and say 'warmedUp', wait for
// 'go' again, produce, report, exit.
if (process.argv[2] === 'producer') {
  process.once('message', (order: ProducerOrder) => {
    const go = () => new Promise((r) => process.once('message', r));
    produce(order, go).then(
      (report) => process.send!(report, () => process.exit(0)),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
