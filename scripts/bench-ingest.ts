/**
 * `npm run bench:ingest`: loads POST /stripe/webhook with unique, validly signed ~3 KB
 * checkout.session.completed events, on a real api process and, in the same run and with the same events, on
 * the do-it-yourself server of bench-ingest-diy.ts (Express 5 + constructEvent + one INSERT and one BullMQ add
 * per event). Checks that every event answered 2xx is a committed inbox row, and prints the figures and the
 * ratio: the machine is shared, so only a ratio measured side by side means anything. Not a test.
 *
 * Sturdy on a noisy machine: the servers take turns (api, DIY[, baseline], api, DIY…: BENCH_ROUNDS rounds,
 * default 3, every other one in reverse order), each turn on a fresh database, so a neighbour's load that comes and goes weighs on all of them;
 * each side's figure is the median of its turns and the ratio is of the medians.
 *
 * BENCH_SECONDS (default 10 per turn) and BENCH_CONNECTIONS (default 50) tune the run; events are signed just
 * before each turn (Stripe's 5-minute tolerance); BENCH_ONLY=api skips the DIY server; BENCH_BASELINE_API=<dist
 * dir> (an older `nest build api` output, e.g. /tmp/old/dist) runs that api as a third contender, so a
 * before/after is one run; BENCH_API_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=test-artifacts/profiles`) is
 * passed to the api's node. Ports 13991 (api), 13992 (DIY), 13993 (baseline api).
 */
import { ChildProcess, fork } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { AppConfig } from '@app/config';
import { clearQueueKeys, cpuSecondsOf, cpuSplitOf, freshBenchDatabase } from './bench-support';

/**
 * CPU seconds of the PostgreSQL backends serving one database, by pid: the two cores are shared by the server,
 * PostgreSQL and autocannon, so what a server makes PostgreSQL spend per event is part of its cost. Shared
 * processes (WAL writer, checkpointer) are left out: they serve every database on the machine.
 */
async function backendCpuOf(db: Client, database: string): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const seconds = await cpuSecondsOf(pid);
    if (seconds !== null) cpu.set(pid, seconds);
  }
  return cpu;
}

const SECRET = 'whsec_bench_secret';
const API_PORT = 13991;
const DIY_PORT = 13992;
const BASELINE_PORT = 13993;
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

interface BenchEvent {
  id: string;
  body: string;
}

function benchEvent(n: number): BenchEvent {
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
  const body = JSON.stringify({ id, object: 'event', api_version: '2025-01-27.acacia', created: Math.floor(Date.now() / 1000), data: { object: session }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: 'checkout.session.completed' });
  return { id, body };
}

function sign(body: string): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex')}`;
}

interface Figures {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  ok: number;
  /** Distinct events answered 2xx, and how many of them are committed rows. */
  acknowledged: number;
  committed: number;
  cpuUsPerEvent: number | null;
  /** The server's kernel share of cpuUsPerEvent, and its database's backends' CPU per event. */
  systemUsPerEvent: number | null;
  pgUsPerEvent: number | null;
  /** This process's CPU per event: autocannon shares the cores with the server and PostgreSQL. */
  loadUsPerEvent: number;
  load: number;
}

interface Target {
  name: string;
  port: number;
  database: string;
  queuePrefix: string;
  start(dbUrl: string, redisUrl: string): ChildProcess;
  readyPath: string;
}

/** The node flags a build of the api declares (apps/api/src/node-flags.ts as it was built), none if it predates them. */
function nodeFlagsOf(distDir: string): readonly string[] {
  const file = join(distDir, 'apps', 'api', 'src', 'node-flags.js');
  return existsSync(file) ? (require(file) as { API_NODE_FLAGS: readonly string[] }).API_NODE_FLAGS : [];
}

function apiTarget(name: string, distDir: string, port: number, database: string, queuePrefix: string): Target {
  return {
    name,
    port,
    database,
    queuePrefix,
    readyPath: '/health/live',
    start: (dbUrl, redisUrl) =>
      fork(join(distDir, 'apps', 'api', 'src', 'main.js'), [], {
        // Each build with its own flags, as everywhere it runs (a baseline's may differ); one older than them runs without.
        execArgv: [...nodeFlagsOf(distDir), ...(process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean)],
        env: { ...process.env, NODE_ENV: 'test', PORT: String(port), DATABASE_URL: dbUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: queuePrefix, API_METRICS_PORT: '0', STRIPE_WEBHOOK_SECRETS_TEST: SECRET, LOG_LEVEL: 'warn' },
        stdio: 'inherit',
      }),
  };
}

const API = apiTarget('api (ComptAppart)', join(__dirname, '..'), API_PORT, 'comptappart_bench', 'bench');
const DIY: Target = {
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
};

async function measure(target: Target, events: BenchEvent[], base: AppConfig): Promise<Figures> {
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
    // Signed now, before the load starts, so the load generator (on the same cores) spends its time sending.
    const signatures = events.map((e) => sign(e.body));
    const acknowledged = new Set<string>();
    let n = 0;
    const load = loadavg()[0];
    const watch = new Client({ connectionString: dbUrl });
    await watch.connect();
    const pgBefore = await backendCpuOf(watch, target.database);
    const cpuBefore = await cpuSplitOf(child.pid!);
    const ownBefore = process.cpuUsage();
    const result = await autocannon({
      url: `http://127.0.0.1:${target.port}/stripe/webhook`,
      method: 'POST',
      connections,
      duration: seconds,
      requests: [
        {
          setupRequest: (req: autocannon.Request, context: object) => {
            const i = n++ % events.length;
            (context as { event: number }).event = i;
            return { ...req, body: events[i].body, headers: { 'content-type': 'application/json', 'stripe-signature': signatures[i] } };
          },
          onResponse: (status: number, _body: string, context: object) => {
            if (status >= 200 && status < 300) acknowledged.add(events[(context as { event: number }).event].id);
          },
        },
      ],
    });
    const own = process.cpuUsage(ownBefore);
    const cpuAfter = await cpuSplitOf(child.pid!);
    const pgAfter = await backendCpuOf(watch, target.database);
    if (n > events.length) throw new Error(`${events.length} prepared events ran out: raise their number`);
    const [{ count }] = (await watch.query('SELECT count(*)::int AS count FROM stripe_events WHERE id = ANY($1::text[])', [[...acknowledged]])).rows;
    await watch.end();
    const ok = result['2xx'];
    let pgSeconds = 0;
    for (const [pid, after] of pgAfter) pgSeconds += after - (pgBefore.get(pid) ?? 0);
    return {
      name: target.name,
      perSecond: ok / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      ok,
      acknowledged: acknowledged.size,
      committed: count,
      cpuUsPerEvent: cpuBefore !== null && cpuAfter !== null && ok > 0 ? ((cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) * 1e6) / ok : null,
      systemUsPerEvent: cpuBefore !== null && cpuAfter !== null && ok > 0 ? ((cpuAfter.system - cpuBefore.system) * 1e6) / ok : null,
      pgUsPerEvent: ok > 0 ? (pgSeconds * 1e6) / ok : null,
      loadUsPerEvent: ok > 0 ? (own.user + own.system) / ok : 0,
      load,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await clearQueueKeys(base.redisUrl, target.queuePrefix);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function printTurn(f: Figures): void {
  const cpu = f.cpuUsPerEvent === null ? 'n/a' : `${f.cpuUsPerEvent.toFixed(0)} us CPU/event (${f.systemUsPerEvent!.toFixed(0)} kernel, PG ${f.pgUsPerEvent?.toFixed(0) ?? 'n/a'}, autocannon ${f.loadUsPerEvent.toFixed(0)})`;
  const durable = f.committed === f.acknowledged ? 'all committed' : `${f.acknowledged - f.committed} LOST`;
  console.log(`    ${f.name.padEnd(28)} ${f.perSecond.toFixed(0).padStart(6)}/s  p50 ${f.p50} ms  p99 ${f.p99} ms  ${cpu}  non-2xx ${f.non2xx} errors ${f.errors}  2xx ${f.ok}: ${durable}  (load ${f.load.toFixed(1)})`);
}

async function main(): Promise<void> {
  const base = AppConfig.load();
  // Each turn has its own database, so every turn can send the same events.
  const events = Array.from({ length: Math.max(20_000, seconds * 12_000) }, (_, i) => benchEvent(i));
  const targets = [API];
  if (process.env.BENCH_ONLY !== 'api') targets.push(DIY);
  if (process.env.BENCH_BASELINE_API) targets.push(apiTarget('baseline api', process.env.BENCH_BASELINE_API, BASELINE_PORT, 'comptappart_bench_base', 'bench-base'));
  const figures: Figures[] = [];
  console.log(`\nbench:ingest — POST /stripe/webhook, signed ${events[0].body.length}-byte checkout.session.completed, unique ids, side by side`);
  console.log(`  ${connections} connections, ${rounds} round(s) of ${seconds} s per server, taking turns`);
  for (let round = 0; round < rounds; round++) {
    console.log(`  round ${round + 1}`);
    // Every other round goes the other way, so no server always follows the same neighbour.
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      const f = await measure(target, events, base);
      figures.push(f);
      printTurn(f);
    }
  }
  console.log('  medians per server');
  const medians = new Map<string, number>();
  for (const target of targets) {
    const mine = figures.filter((f) => f.name === target.name);
    const rate = median(mine.map((f) => f.perSecond));
    medians.set(target.name, rate);
    const cpu = mine.every((f) => f.cpuUsPerEvent !== null)
      ? `${median(mine.map((f) => f.cpuUsPerEvent!)).toFixed(0)} us CPU/event (${median(mine.map((f) => f.systemUsPerEvent!)).toFixed(0)} kernel), PG ${median(mine.map((f) => f.pgUsPerEvent ?? 0)).toFixed(0)} us/event, autocannon ${median(mine.map((f) => f.loadUsPerEvent)).toFixed(0)} us/event`
      : 'CPU n/a';
    console.log(`    ${target.name.padEnd(28)} ${rate.toFixed(0).padStart(6)}/s  p50 ${median(mine.map((f) => f.p50))} ms  p99 ${median(mine.map((f) => f.p99))} ms  ${cpu}`);
  }
  const ratio = (a: Target, b: Target) => (medians.get(a.name)! / medians.get(b.name)!).toFixed(2);
  if (medians.has(DIY.name)) console.log(`  ratio of medians, api / do-it-yourself: ${ratio(API, DIY)}x`);
  const baseline = targets.find((t) => t.name === 'baseline api');
  if (baseline) {
    console.log(`  ratio of medians, api / baseline api: ${ratio(API, baseline)}x`);
    if (medians.has(DIY.name)) console.log(`  ratio of medians, baseline api / do-it-yourself: ${ratio(baseline, DIY)}x`);
  }
  console.log(`  load average over the turns: ${figures.map((f) => f.load.toFixed(1)).join(', ')}`);
  const lost = figures.filter((f) => f.committed < f.acknowledged);
  if (lost.length > 0) {
    console.log(`  LOST EVENTS: answered 2xx but not committed, in ${lost.length} turn(s)`);
    process.exitCode = 1;
  } else console.log('  every event answered 2xx is a committed inbox row');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
