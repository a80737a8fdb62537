/**
 * `npm run bench:ingest`: loads POST /stripe/webhook of a real api process
 * with unique, validly signed ~3 KB checkout.session.completed events, then
 * checks that every 2xx is a committed inbox row. Not a test: it prints figures.
 *
 * BENCH_SECONDS (default 20) and BENCH_CONNECTIONS (default 64) tune the run.
 */
import { fork } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { AppConfig } from '@app/config';
import { clearQueueKeys, freshBenchDatabase } from './bench-support';

const SECRET = 'whsec_bench_secret';
const PORT = 13999;
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);

function eventBody(n: number): string {
  const id = `evt_bench_${randomBytes(8).toString('hex')}_${n}`;
  const session = {
    id: `cs_test_${randomBytes(24).toString('hex')}`,
    object: 'checkout.session',
    amount_subtotal: 11750,
    amount_total: 11750,
    currency: 'eur',
    customer: `cus_${randomBytes(7).toString('hex')}`,
    customer_details: { email: 'camille@example.com', name: 'Camille Martin', address: { city: 'Paris', country: 'FR', line1: '12 rue des Lilas', postal_code: '75011' } },
    metadata: { partner_id: 'par_bench', order_id: `ord_${randomBytes(8).toString('hex')}`, environment: 'staging' },
    mode: 'payment',
    payment_intent: `pi_${randomBytes(12).toString('hex')}`,
    payment_status: 'paid',
    status: 'complete',
    success_url: 'https://shop.example.com/merci?session_id={CHECKOUT_SESSION_ID}',
    livemode: false,
    locale: 'fr',
    payment_method_types: ['card'],
    padding: 'x'.repeat(2200),
  };
  return JSON.stringify({ id, object: 'event', api_version: '2025-01-27.acacia', created: Math.floor(Date.now() / 1000), data: { object: session }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: 'checkout.session.completed' });
}

function sign(body: string): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex')}`;
}

async function main(): Promise<void> {
  const base = AppConfig.load();
  const dbUrl = new URL(await freshBenchDatabase(base.databaseUrl, 'comptappart_bench'));
  await clearQueueKeys(base.redisUrl, 'bench');

  const api = fork(join(__dirname, '..', 'apps', 'api', 'src', 'main.js'), [], {
    execArgv: process.env.BENCH_API_NODE_ARGS ? process.env.BENCH_API_NODE_ARGS.split(' ') : [],
    env: { ...process.env, NODE_ENV: 'test', PORT: String(PORT), DATABASE_URL: dbUrl.toString(), REDIS_URL: base.redisUrl, QUEUE_PREFIX: 'bench', API_METRICS_PORT: '0', STRIPE_WEBHOOK_SECRETS: SECRET, LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${PORT}/health/live`)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // Bodies are made and signed before the load starts, so the load generator
    // (on the same two cores) spends its time sending, not hashing.
    const prepared = Array.from({ length: Math.max(20_000, seconds * 15_000) }, (_, i) => {
      const body = eventBody(i);
      return { body, signature: sign(body) };
    });
    let n = 0;
    const result = await autocannon({
      url: `http://127.0.0.1:${PORT}/stripe/webhook`,
      method: 'POST',
      connections,
      duration: seconds,
      requests: [
        {
          setupRequest: (req: autocannon.Request) => {
            const { body, signature } = prepared[n++ % prepared.length];
            return { ...req, body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
          },
        },
      ],
    });
    const db = new Client({ connectionString: dbUrl.toString() });
    await db.connect();
    const [{ count }] = (await db.query('SELECT count(*)::int AS count FROM stripe_events')).rows;
    await db.end();
    const ok = result['2xx'];
    console.log('\nbench:ingest — POST /stripe/webhook, signed ~3 KB checkout.session.completed, unique ids');
    console.log(`  ${connections} connections, ${seconds} s, body ${eventBody(0).length} bytes`);
    console.log(`  events/s (2xx):   ${(ok / result.duration).toFixed(0)}`);
    console.log(`  latency p50:      ${result.latency.p50} ms`);
    console.log(`  latency p99:      ${result.latency.p99} ms`);
    console.log(`  non-2xx / errors: ${result.non2xx} / ${result.errors}`);
    console.log(`  2xx answers:      ${ok}; committed inbox rows: ${count} -> ${count >= ok ? 'every acknowledged event is durable' : 'LOST EVENTS'}`);
    if (count < ok) process.exitCode = 1;
  } finally {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await clearQueueKeys(base.redisUrl, 'bench');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
