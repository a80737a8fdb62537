/**
 * The delivery bench's producers: order rows and their partner messages committed through the outbox
 * transaction, as the order and invoice processors commit them. `bench-delivery.ts` uses `publish` for its
 * backlog, and forks this file (argument `producer`) for the delay part: each producer process has its own Nest
 * context and pool, so the offered rate is not bounded by the event loop that also hosts the partner receiver
 * (round 1: 350-400 messages/s offered of 1,000 asked, its transactions idle waiting for that loop).
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
  /** Messages per second this producer offers, one message per outbox transaction. */
  rate: number;
  seconds: number;
  /** Where this producer starts its round-robin over the partners, so producers spread over endpoints. */
  firstPartner: number;
  /** Transactions this producer keeps in flight at most (its pool's size bounds them anyway). */
  maxInFlight: number;
}

/** What a producer reports back: messages committed, wall time, created -> committed per transaction. */
export interface ProducerReport {
  sent: number;
  seconds: number;
  commitMs: number[];
}

export async function producerContext(env: Record<string, string>) {
  return NestFactory.createApplicationContext(
    { module: ProducerModule, imports: [ConfigModule.forRoot(AppConfig.fromEnv(env))] },
    { logger: ['error', 'warn'] },
  );
}

/** One outbox transaction of `count` messages for the partners from `first` on (round-robin), as a processor writes them; returns created -> committed in ms. */
export async function publish(db: DataSource, outbox: OutboxService, scopes: TenantScope[], first: number, count: number): Promise<number> {
  const orderIds = Array.from({ length: count }, () => newId('ord'));
  let began = 0;
  await db.transaction(async (tx) => {
    began = Date.now();
    // Created when its transaction runs, as a processor creates it: time spent queueing for a pool connection is the bench's own.
    const createdAt = new Date();
    await tx.query(
      `INSERT INTO orders (id, partner_id, environment, status, currency, amount_total, line_items)
       SELECT o.id, o.partner_id, 'staging', 'paid', 'eur', 11750, '[]' FROM unnest($1::text[], $2::text[]) AS o(id, partner_id)`,
      [orderIds, orderIds.map((_, i) => scopes[(first + i) % scopes.length].partnerId)],
    );
    for (let i = 0; i < count; i++) {
      await outbox.record(asTx(tx), scopes[(first + i) % scopes.length], 'order.expired', orderIds[i], benchOrder(orderIds[i]) as never, createdAt);
    }
  });
  return Date.now() - began;
}

/** Offers `rate` one-message transactions a second for `seconds`, paced every 10 ms, several in flight as in a worker. */
async function produce(order: ProducerOrder, go: Promise<unknown>): Promise<ProducerReport> {
  const app = await producerContext(order.env);
  const db = app.get(DataSource);
  const outbox = app.get(OutboxService);
  const scopes = order.partnerIds.map((id) => scopeForOperator({ id }, 'staging'));
  // Connections opened before the clock starts: the steady state is what is measured.
  await Promise.all(Array.from({ length: 8 }, () => db.query('SELECT 1')));
  // Every producer booted before any starts, so their rates add up over the same seconds.
  process.send!('ready');
  await go;
  const commitMs: number[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let next = order.firstPartner;
  let sent = 0;
  const started = Date.now();
  const ticks = Math.round(order.seconds * 100);
  for (let tick = 0; tick < ticks; tick++) {
    // Whole messages owed by this tick's end, so fractional rates per tick add up.
    const owed = Math.round(((tick + 1) * order.rate) / 100) - sent;
    for (let m = 0; m < owed; m++) {
      const p = publish(db, outbox, scopes, next, 1)
        .then((ms) => commitMs.push(ms))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      next = (next + 1) % scopes.length;
    }
    sent += owed;
    while (inFlight.size >= order.maxInFlight) await Promise.race(inFlight);
    await new Promise((r) => setTimeout(r, Math.max(0, started + (tick + 1) * 10 - Date.now())));
  }
  await Promise.all(inFlight);
  const seconds = (Date.now() - started) / 1000;
  await app.close();
  return { sent, seconds, commitMs };
}

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

// Forked by bench-delivery.ts: take the order, boot, say 'ready', wait for 'go', produce, report, exit.
if (process.argv[2] === 'producer') {
  process.once('message', (order: ProducerOrder) => {
    const go = new Promise((r) => process.once('message', r));
    produce(order, go).then(
      (report) => process.send!(report, () => process.exit(0)),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
