/**
 * `npm run bench:ingest`: loads POST /stripe/webhook with unique, validly signed ~3 KB
 * checkout.session.completed events, first on a real api process, then, in the same run and with the same
 * events, on the do-it-yourself server of bench-ingest-diy.ts (Express 5 + constructEvent + one INSERT and one
 * BullMQ add per event). Checks that every 2xx is a committed inbox row, and prints both figures and the
 * ratio: the machine is shared, so only a ratio measured side by side means anything. Not a test.
 *
 * The servers take turns (api, DIY, api, DIY…, BENCH_ROUNDS rounds, default 2), so a neighbour's load that comes and
 * goes weighs on both; the ratio is of the totals.
 *
 * BENCH_SECONDS (default 10 per turn) and BENCH_CONNECTIONS (default 50) tune the run (the events are signed
 * up front: keep the whole run within Stripe's 5-minute tolerance); BENCH_ONLY=api skips the DIY run;
 * BENCH_API_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=test-artifacts/profiles`) is passed to the api's node.
 */
import { ChildProcess, fork } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { AppConfig } from '@app/config';
import { clearQueueKeys, cpuSecondsOf, freshBenchDatabase } from './bench-support';

const SECRET = 'whsec_bench_secret';
const API_PORT = 13999;
const DIY_PORT = 13998;
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

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

interface Prepared {
  body: string;
  signature: string;
}

interface Figures {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  ok: number;
  committed: number;
  cpuMsPerEvent: number | null;
  wrapped: boolean;
}

interface Target {
  name: string;
  port: number;
  database: string;
  queuePrefix: string;
  start(dbUrl: string, redisUrl: string): ChildProcess;
  readyPath: string;
}

const TARGETS: Target[] = [
  {
    name: 'api (ComptAppart)',
    port: API_PORT,
    database: 'comptappart_bench',
    queuePrefix: 'bench',
    readyPath: '/health/live',
    start: (dbUrl, redisUrl) =>
      fork(join(__dirname, '..', 'apps', 'api', 'src', 'main.js'), [], {
        execArgv: process.env.BENCH_API_NODE_ARGS ? process.env.BENCH_API_NODE_ARGS.split(' ') : [],
        env: { ...process.env, NODE_ENV: 'test', PORT: String(API_PORT), DATABASE_URL: dbUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: 'bench', API_METRICS_PORT: '0', STRIPE_WEBHOOK_SECRETS_TEST: SECRET, LOG_LEVEL: 'warn' },
        stdio: 'inherit',
      }),
  },
  {
    name: 'do-it-yourself (Express 5)',
    port: DIY_PORT,
    database: 'comptappart_bench_diy',
    queuePrefix: 'bench-diy',
    readyPath: '/health',
    start: (dbUrl, redisUrl) =>
      fork(join(__dirname, 'bench-ingest-diy.js'), [], {
        env: { ...process.env, DIY_PORT: String(DIY_PORT), DIY_WEBHOOK_SECRET: SECRET, DATABASE_URL: dbUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: 'bench-diy' },
        stdio: 'inherit',
      }),
  },
];

async function measure(target: Target, prepared: Prepared[], base: AppConfig): Promise<Figures> {
  const dbUrl = await freshBenchDatabase(base.databaseUrl, target.database);
  await clearQueueKeys(base.redisUrl, target.queuePrefix);
  const child = target.start(dbUrl, base.redisUrl);
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${target.port}${target.readyPath}`)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const cpuBefore = await cpuSecondsOf(child.pid!);
    let n = 0;
    const result = await autocannon({
      url: `http://127.0.0.1:${target.port}/stripe/webhook`,
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
    const cpuAfter = await cpuSecondsOf(child.pid!);
    const db = new Client({ connectionString: dbUrl });
    await db.connect();
    const [{ count }] = (await db.query('SELECT count(*)::int AS count FROM stripe_events')).rows;
    await db.end();
    const ok = result['2xx'];
    return {
      name: target.name,
      perSecond: ok / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      ok,
      committed: count,
      cpuMsPerEvent: cpuBefore !== null && cpuAfter !== null && ok > 0 ? ((cpuAfter - cpuBefore) * 1000) / ok : null,
      wrapped: n > prepared.length,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await clearQueueKeys(base.redisUrl, target.queuePrefix);
  }
}

function print(f: Figures): void {
  console.log(`  ${f.name}`);
  console.log(`    events/s (2xx):   ${f.perSecond.toFixed(0)}`);
  console.log(`    latency p50/p99:  ${f.p50} ms / ${f.p99} ms`);
  console.log(`    CPU per event:    ${f.cpuMsPerEvent === null ? 'n/a' : `${(f.cpuMsPerEvent * 1000).toFixed(0)} us (server process)`}`);
  console.log(`    non-2xx / errors: ${f.non2xx} / ${f.errors}${f.wrapped ? ' (prepared events ran out: some were sent twice)' : ''}`);
  console.log(`    2xx answers:      ${f.ok}; committed inbox rows: ${f.committed} -> ${f.committed >= f.ok ? 'every acknowledged event is durable' : 'LOST EVENTS'}`);
}

async function main(): Promise<void> {
  const base = AppConfig.load();
  // Bodies are made and signed before the load starts, so the load generator (on the same two cores) spends its
  // time sending, not hashing. Each server gets its own database, so both runs can send the same events.
  const prepared: Prepared[] = Array.from({ length: Math.max(20_000, seconds * 10_000) }, (_, i) => {
    const body = eventBody(i);
    return { body, signature: sign(body) };
  });
  const targets = process.env.BENCH_ONLY === 'api' ? TARGETS.slice(0, 1) : TARGETS;
  const figures: Figures[] = [];
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      loads.push(loadavg()[0]);
      figures.push(await measure(target, prepared, base));
    }
  }
  console.log('\nbench:ingest — POST /stripe/webhook, signed ~3 KB checkout.session.completed, unique ids, side by side');
  console.log(`  ${connections} connections, ${rounds} round(s) of ${seconds} s per server, taking turns; body ${eventBody(0).length} bytes; load average ${loads.map((l) => l.toFixed(1)).join(', ')}`);
  figures.forEach(print);
  const rate = (name: string) => {
    const mine = figures.filter((f) => f.name === name);
    return mine.reduce((sum, f) => sum + f.perSecond, 0) / mine.length;
  };
  if (targets.length === 2) {
    const [api, diy] = targets.map((t) => rate(t.name));
    console.log(`  mean events/s: api ${api.toFixed(0)}, do-it-yourself ${diy.toFixed(0)}; ratio api / do-it-yourself: ${(api / diy).toFixed(2)}x`);
  }
  if (figures.some((f) => f.committed < f.ok)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
