/**
 * `npm run bench:delivery`: partner deliveries from the outbox to a fast local
 * receiver, through a real worker process, with every attempt recorded in
 * PostgreSQL. Not a test: it prints figures.
 *
 *  1. throughput: BENCH_MESSAGES (default 20,000) messages committed for
 *     BENCH_ENDPOINTS partners (default 8, one endpoint each, default settings:
 *     10 in flight), then the worker is started; deliveries/s is measured
 *     between the first and last recorded attempt.
 *  2. delay: BENCH_RATE messages/s (default 1,000) for BENCH_SECONDS (default
 *     10) through the production path (outbox transaction, then a
 *     deliver-message job); delay = message created -> received, p50/p99.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule, migrate, newId, scopeForOperator, TenantScope } from '@app/database';
import { PartnerReceiver } from '@app/dev-servers';
import { JobQueue, QueueModule } from '@app/queue';
import { EndpointService, OutboxService, WebhooksModule } from '@app/webhooks';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 8);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `benchdlv${randomBytes(3).toString('hex')}`;

@Module({ imports: [DatabaseModule, QueueModule, WebhooksModule] })
class ProducerModule {}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS comptappart_bench_delivery WITH (FORCE)');
  await admin.query('CREATE DATABASE comptappart_bench_delivery');
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = '/comptappart_bench_delivery';
  await migrate(dbUrl.toString());

  const receiver = new PartnerReceiver();
  const receiverUrl = await receiver.start();
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
  };
  const config = AppConfig.fromEnv(env);
  const app = await NestFactory.createApplicationContext(
    { module: ProducerModule, imports: [ConfigModule.forRoot(config)] },
    { logger: ['error', 'warn'] },
  );
  const db = app.get(DataSource);
  const outbox = app.get(OutboxService);
  const queue = app.get(JobQueue);

  // Partners, one endpoint each, through the same service the API uses.
  const scopes: TenantScope[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const partnerId = newId('par');
    await db.query(
      `INSERT INTO partners (id, name, legal_name, address, siren, email, invoice_prefix, default_vat_rate) VALUES ($1, 'Bench', 'Bench SAS', '{}', '123456789', 'bench@example.test', $2, 20)`,
      [partnerId, `B${i}`],
    );
    const scope = scopeForOperator({ id: partnerId }, 'staging');
    await app.get(EndpointService).create(scope, { url: `${receiverUrl}/${i}` });
    scopes.push(scope);
  }

  async function publish(count: number, enqueue: boolean): Promise<number> {
    const createdAt = new Date();
    const orderIds = Array.from({ length: count }, () => newId('ord'));
    const deliveryIds = await db.transaction(async (tx) => {
      const ids: string[] = [];
      await tx.query(
        `INSERT INTO orders (id, partner_id, environment, status, currency, amount_total, line_items)
         SELECT o.id, o.partner_id, 'staging', 'paid', 'eur', 11750, '[]' FROM unnest($1::text[], $2::text[]) AS o(id, partner_id)`,
        [orderIds, orderIds.map((_, i) => scopes[i % scopes.length].partnerId)],
      );
      for (let i = 0; i < count; i++) {
        const scope = scopes[i % scopes.length];
        ids.push(...(await outbox.record(tx, scope, 'order.expired', orderIds[i], benchOrder(orderIds[i]) as never, createdAt)));
      }
      return ids;
    });
    if (enqueue) await queue.tryEnqueueBulk('deliver-message', deliveryIds.map((deliveryId) => ({ deliveryId, attempt: 1 })));
    return createdAt.getTime();
  }

  // 1. Throughput: a committed backlog, drained by a fresh worker process.
  process.stdout.write(`Committing ${MESSAGES} messages for ${ENDPOINTS} endpoints… `);
  const chunks = Array.from({ length: Math.ceil(MESSAGES / 250) }, (_, i) => Math.min(250, MESSAGES - i * 250));
  for (let i = 0; i < chunks.length; i += 8) await Promise.all(chunks.slice(i, i + 8).map((n) => publish(n, false)));
  console.log('done');
  const worker = fork(join(__dirname, '..', 'apps', 'worker', 'src', 'main.js'), [], {
    env: { ...process.env, ...env, SWEEP_INTERVAL_MS: '1000', SWEEP_GRACE_MS: '0' },
    stdio: 'inherit',
  });
  // Never leave a worker behind (it would keep sweeping the next run's database).
  process.once('exit', () => worker.kill('SIGKILL'));
  let delivered = 0;
  const deadline = Date.now() + 300_000;
  while (delivered < MESSAGES && Date.now() < deadline) {
    await sleep(500);
    delivered = (await db.query(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivered'`))[0].n;
  }
  const [t] = await db.query(
    `SELECT count(*)::int AS attempts, extract(epoch FROM max(attempted_at) - min(attempted_at)) AS seconds FROM attempts`,
  );
  const throughput = MESSAGES / Number(t.seconds);
  console.log(`Throughput: ${delivered}/${MESSAGES} delivered, ${t.attempts} attempts recorded, ${Number(t.seconds).toFixed(2)} s -> ${Math.round(throughput)} deliveries/s`);

  // 2. Delay at a steady rate, production path (outbox commit, then a deliver-message job).
  receiver.received.length = 0;
  const batch = Math.max(1, Math.round(RATE / 100));
  const started = Date.now();
  let sent = 0;
  // Ticks are not awaited one by one: a transaction of several statements takes longer than the
  // 10 ms between ticks, so several are in flight, as in the worker where many jobs commit at once.
  const inFlight = new Set<Promise<unknown>>();
  for (let tick = 0; tick < SECONDS * 100; tick++) {
    const p = publish(batch, true).finally(() => inFlight.delete(p));
    inFlight.add(p);
    sent += batch;
    while (inFlight.size >= 16) await Promise.race(inFlight);
    const next = started + (tick + 1) * 10;
    await sleep(Math.max(0, next - Date.now()));
  }
  await Promise.all(inFlight);
  const achievedRate = sent / ((Date.now() - started) / 1000);
  while (receiver.received.length < sent && Date.now() < started + SECONDS * 1000 + 30_000) await sleep(200);
  const created = new Map<string, number>(
    (await db.query(`SELECT id, created_at FROM messages`)).map((r: { id: string; created_at: Date }) => [r.id, r.created_at.getTime()]),
  );
  const delays = receiver.received.map((r) => r.receivedAt - created.get(String(r.headers['webhook-id']))!).sort((a, b) => a - b);
  console.log(
    `Delay at ${Math.round(achievedRate)} messages/s for ${SECONDS} s: ${delays.length}/${sent} received, p50 ${pct(delays, 50)} ms, p99 ${pct(delays, 99)} ms, max ${delays[delays.length - 1]} ms`,
  );

  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  await app.close();
  await receiver.stop();
  const redis = new IORedis(REDIS_URL);
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 5000);
    if (keys.length) await redis.unlink(...keys);
    cursor = nextCursor;
  } while (cursor !== '0');
  redis.disconnect();
  await admin.query('DROP DATABASE IF EXISTS comptappart_bench_delivery WITH (FORCE)');
  await admin.end();
}

/** A realistic ~1 KB order payload. */
function benchOrder(id: string) {
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
  };
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
