/**
 * `npm run bench:e2e`: signed Stripe `checkout.session.completed` events at a
 * fixed rate through a real api process and a real worker process, with an
 * SMTP server and a partner receiver in this process. Reports sustained
 * events/s, latency from event accepted to order.paid received, to email
 * sent and to invoice.issued received, and peak RSS of both processes.
 * Not a test: it prints figures. BENCH_EVENTS (default 3000) and BENCH_RATE
 * (events/s, default 300) tune it; BENCH_WORKERS (default 1) runs that many
 * worker processes sharing the queues, as a scaled-out deployment does. BENCH_DIST (a build's dist/ directory,
 * default this one) runs the api and worker of another build under the same harness, to compare two builds.
 * After the run it prints where the time went, stage by stage, from the timestamps the tables keep (see
 * `stagesOf`): nothing on the hot path is instrumented for it; then the five seconds of the run with the slowest emails,
 * stage by stage (printWorstSeconds).
 */
import { ChildProcess, fork } from 'node:child_process';
import { Client } from 'pg';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '@app/config';
import { PartnerReceiver, SmtpCatcher } from '@app/dev-servers';
import { StripeEmulator } from '@app/stripe-emulator';
import { API_NODE_FLAGS } from '../apps/api/src/node-flags';
import { WORKER_NODE_FLAGS } from '../apps/worker/src/node-flags';
import { clearQueueKeys, freshBenchDatabase } from './bench-support';

const N = Number(process.env.BENCH_EVENTS ?? 3000);
const RATE = Number(process.env.BENCH_RATE ?? 300);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const DIST = process.env.BENCH_DIST ?? join(__dirname, '..');
const API_PORT = 13998;
const SECRET = 'whsec_bench_e2e';
const ADMIN = 'bench-admin-token-0123456789';
const PREFIX = 'benche2e';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
const cpuSeconds = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // gone meanwhile
  }
};
/** Every PostgreSQL process on the machine: the server is shared, so this counts other clients' work too. */
const postgresCpuSeconds = (): number => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).reduce((sum, pid) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres' ? sum + cpuSeconds(Number(pid)) : sum;
  } catch {
    return sum;
  }
}, 0);
/**
 * The bench database's own counters (pg_stat_database, which backends report within a second or so of their
 * transactions): commits and rows written. A commit is a WAL flush someone waits for; the server's other clients
 * are not counted here, unlike its CPU.
 */
async function databaseCounters(dbUrl: string): Promise<{ commits: number; rowsWritten: number }> {
  const c = new Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT xact_commit::float8 AS commits, (tup_inserted + tup_updated + tup_deleted)::float8 AS "rowsWritten" FROM pg_stat_database WHERE datname = current_database()`,
    );
    return rows[0];
  } finally {
    await c.end();
  }
}
const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

interface BenchEvent {
  orderId: string;
  eventId: string;
  email: string;
  body: string;
}

/** When each event passed each stage, ms since the epoch, from the tables (`db`) and from this process (`bench`). */
interface StageTimes {
  /** stripe_events.received_at: now() of the api's group-commit INSERT. */
  inboxInsert?: number;
  /** The api's 2xx, here: the INSERT committed. */
  accepted?: number;
  /** stripe_events.processed_at: now() of the apply transaction, i.e. its BEGIN (after the claim and the reads before it). */
  applyBegan?: number;
  /** invoices.issued_at: clock_timestamp() of the invoice statement, the last one before the apply COMMIT. */
  applied?: number;
  /** First attempt of order.paid's delivery (attempts.attempted_at): the delivery engine took it. */
  paidSent?: number;
  paidReceived?: number;
  /** invoices.pdf_rendered_at: clock_timestamp() of the store transaction's first statement, right after the render. */
  rendered?: number;
  issuedSent?: number;
  issuedReceived?: number;
  /** invoices.emailed_at: after the SMTP 250. */
  emailed?: number;
  mailReceived?: number;
}

/** Reads the stage timestamps of the run's events from the bench database (after the run: the hot path is untouched). */
async function stagesOf(dbUrl: string, events: BenchEvent[]): Promise<Map<string, StageTimes>> {
  const c = new Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const ms = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
    const firstAttempt = (type: string) =>
      `(SELECT ${ms('min(a.attempted_at)')} FROM messages m JOIN attempts a ON a.message_id = m.id WHERE m.order_id = o.id AND m.type = '${type}')`;
    const { rows } = await c.query(
      `SELECT o.id AS "orderId", ${ms('e.received_at')} AS "inboxInsert", ${ms('e.processed_at')} AS "applyBegan",
         ${ms('i.issued_at')} AS applied, ${ms('i.pdf_rendered_at')} AS rendered, ${ms('i.emailed_at')} AS emailed,
         ${firstAttempt('order.paid')} AS "paidSent", ${firstAttempt('invoice.issued')} AS "issuedSent"
       FROM unnest($1::text[], $2::text[]) AS x(order_id, event_id)
       JOIN orders o ON o.id = x.order_id
       LEFT JOIN stripe_events e ON e.id = x.event_id
       LEFT JOIN invoices i ON i.order_id = o.id`,
      [events.map((e) => e.orderId), events.map((e) => e.eventId)],
    );
    const times = new Map<string, StageTimes>();
    for (const r of rows) {
      const t: StageTimes = {};
      for (const [k, v] of Object.entries(r)) if (k !== 'orderId' && v !== null) (t as Record<string, number>)[k] = Number(v);
      times.set(r.orderId, t);
    }
    return times;
  } finally {
    await c.end();
  }
}

/** Where the time goes, per stage, p50/p99 over the events that passed both ends of it. */
async function printStages(dbUrl: string, events: BenchEvent[], seen: Record<'accepted' | 'paid' | 'issued' | 'mail', Map<string, number>>): Promise<void> {
  const times = await stagesOf(dbUrl, events);
  for (const e of events) {
    const t = times.get(e.orderId);
    if (!t) continue;
    t.accepted = seen.accepted.get(e.orderId);
    t.paidReceived = seen.paid.get(e.orderId);
    t.issuedReceived = seen.issued.get(e.orderId);
    t.mailReceived = seen.mail.get(e.email);
  }
  const stage = (name: string, from: keyof StageTimes, to: keyof StageTimes) => {
    const xs: number[] = [];
    for (const t of times.values()) if (t[from] !== undefined && t[to] !== undefined) xs.push(t[to]! - t[from]!);
    console.log(`    ${name.padEnd(46)} p50 ${pct(xs, 50).toFixed(0).padStart(6)} ms  p99 ${pct(xs, 99).toFixed(0).padStart(6)} ms  max ${pct(xs, 100).toFixed(0).padStart(6)} ms  (${xs.length})`);
  };
  console.log('  where the time goes (timestamps from the tables after the run, the 2xx and receipts from here):');
  stage('inbox INSERT began -> 2xx (group commit)', 'inboxInsert', 'accepted');
  stage('2xx -> apply transaction began (claim, reads)', 'accepted', 'applyBegan');
  stage('apply began -> invoice statement (order paid)', 'applyBegan', 'applied');
  stage('order paid -> order.paid first attempt', 'applied', 'paidSent');
  stage('order.paid attempt -> received by the partner', 'paidSent', 'paidReceived');
  stage('order paid -> PDF rendered (stored)', 'applied', 'rendered');
  stage('PDF rendered -> invoice.issued first attempt', 'rendered', 'issuedSent');
  stage('invoice.issued attempt -> received', 'issuedSent', 'issuedReceived');
  stage('PDF rendered -> email received (SMTP sink)', 'rendered', 'mailReceived');
  stage('PDF rendered -> emailed_at recorded', 'rendered', 'emailed');
  printWorstSeconds(times);
}

/**
 * A tail is a few events or a few seconds: the seconds of the run (by the 2xx) whose slowest email came last, each
 * with its slowest stages, tell a steady tail (every second a little) from a burst (one second of GC, a sweep, a
 * claim that lapsed) and which stage it sits in.
 */
function printWorstSeconds(times: Map<string, StageTimes>): void {
  const all = [...times.values()].filter((t) => t.accepted !== undefined);
  if (!all.length) return;
  const start = Math.min(...all.map((t) => t.accepted!));
  const seconds = new Map<number, StageTimes[]>();
  for (const t of all) {
    const s = Math.floor((t.accepted! - start) / 1000);
    seconds.set(s, [...(seconds.get(s) ?? []), t]);
  }
  const worst = (ts: StageTimes[], from: keyof StageTimes, to: keyof StageTimes) =>
    Math.max(0, ...ts.filter((t) => t[from] !== undefined && t[to] !== undefined).map((t) => t[to]! - t[from]!));
  const ranked = [...seconds.entries()].map(([s, ts]) => ({ s, ts, mail: worst(ts, 'accepted', 'mailReceived') })).sort((a, b) => b.mail - a.mail);
  console.log(`  the ${Math.min(5, ranked.length)} seconds whose slowest email came last (second of the 2xx: slowest per stage, ms):`);
  for (const { s, ts, mail } of ranked.slice(0, 5)) {
    console.log(`    s${String(s).padStart(3)} (${ts.length} events): email ${mail.toFixed(0)}, apply ${worst(ts, 'accepted', 'applied').toFixed(0)}, ` +
      `paid -> PDF ${worst(ts, 'applied', 'rendered').toFixed(0)}, PDF -> email ${worst(ts, 'rendered', 'mailReceived').toFixed(0)}, ` +
      `order.paid ${worst(ts, 'accepted', 'paidReceived').toFixed(0)}`);
  }
}

async function main(): Promise<void> {
  const base = AppConfig.load();
  const dbUrl = new URL(await freshBenchDatabase(base.databaseUrl, 'comptappart_bench_e2e'));
  await clearQueueKeys(base.redisUrl, PREFIX);

  const emulator = new StripeEmulator({ autoSendEvents: false });
  const smtp = new SmtpCatcher({ parse: false });
  const receiver = new PartnerReceiver();
  const [stripeUrl, smtpUrl, receiverUrl] = await Promise.all([emulator.start(), smtp.start(), receiver.start()]);
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(API_PORT),
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: base.redisUrl,
    QUEUE_PREFIX: PREFIX,
    SMTP_URL: smtpUrl,
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_API_URL: stripeUrl,
    STRIPE_WEBHOOK_SECRETS: SECRET,
    ADMIN_TOKEN: ADMIN,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
    WORKER_HTTP_PORT: '0',
    API_METRICS_PORT: '0',
    // The preparation creates checkouts in bursts.
    API_RATE_LIMIT_PER_SECOND: '100000',
  };
  // The api and the worker run with their own node flags, as everywhere they run; BENCH_<APP>_NODE_ARGS adds to them.
  // BENCH_WORKER_PROFILE=<dir>: each worker writes a CPU profile there when it stops (summarise it with
  // `node dist/scripts/profile-summary.js <file>`, or open it in Chrome DevTools).
  const profile = process.env.BENCH_WORKER_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_WORKER_PROFILE] : [];
  const execArgv = (app: string) => [
    ...(app === 'api' ? API_NODE_FLAGS : [...WORKER_NODE_FLAGS, ...profile]),
    ...(process.env[`BENCH_${app.toUpperCase()}_NODE_ARGS`] ?? '').split(' ').filter(Boolean),
  ];
  const children: ChildProcess[] = ['api', ...Array<string>(WORKERS).fill('worker')].map((app) =>
    fork(join(DIST, 'apps', app, 'src', 'main.js'), [], { env, execArgv: execArgv(app), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
  );
  const [api, ...workers] = children;
  const apiUrl = `http://127.0.0.1:${API_PORT}`;
  try {
    for (let i = 0; i < 200; i++) {
      if (await fetch(`${apiUrl}/health/live`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const call = async (path: string, token: string, body: unknown) => {
      const res = await fetch(apiUrl + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, any>>;
    };
    const partner = await call('/admin/partners', ADMIN, {
      name: 'Bench', legal_name: 'Bench SAS', address: { line1: '1 rue du Test', postal_code: '75001', city: 'Paris', country: 'FR' },
      siren: '123456789', email: 'compta@bench.example', invoice_prefix: 'BEN',
    });
    const key = partner.api_keys.test as string;
    await call('/v1/endpoints', key, { url: receiverUrl });

    process.stdout.write(`preparing ${N} paid checkout sessions… `);
    const events: BenchEvent[] = [];
    for (let i = 0; i < N; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, N - i) }, async (_, j) => {
        const email = `buyer${i + j}@bench.example`;
        const checkout = await call('/v1/checkout-sessions', key, {
          customer: { email }, success_url: 'https://bench.example/ok',
          line_items: Array.from({ length: 3 }, (_, k) => ({ name: `Article ${k}`, quantity: 1 + k, unit_amount: 990 + k * 100 })),
        });
        const emitted = await emulator.completeCheckoutSession(checkout.checkout_session_id as string);
        const completed = emitted.find((e) => e.type === 'checkout.session.completed')!;
        return { orderId: checkout.order_id as string, eventId: completed.id as string, email, body: JSON.stringify(completed) };
      }));
      events.push(...batch);
    }
    console.log('done');

    const accepted = new Map<string, number>();
    const countersBefore = await databaseCounters(dbUrl.toString());
    const cpuBefore = { api: cpuSeconds(api.pid!), workers: workers.map((w) => cpuSeconds(w.pid!)), bench: process.cpuUsage(), postgres: postgresCpuSeconds() };
    const started = Date.now();
    let failures = 0;
    await Promise.all(events.map(async (e, i) => {
      const due = started + (i * 1000) / RATE;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      const res = await fetch(`${apiUrl}/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': emulator.signPayload(e.body, SECRET) }, body: e.body });
      if (res.ok) accepted.set(e.orderId, Date.now());
      else failures++;
      await res.arrayBuffer();
    }));
    const sendSeconds = (Date.now() - started) / 1000;

    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (receiver.ofType('invoice.issued').length < N || new Set(smtp.recipients).size < N)) await new Promise((r) => setTimeout(r, 200));
    const cpu = {
      api: cpuSeconds(api.pid!) - cpuBefore.api,
      worker: workers.reduce((sum, w, i) => sum + cpuSeconds(w.pid!) - cpuBefore.workers[i], 0),
      bench: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpuBefore.bench)),
      postgres: postgresCpuSeconds() - cpuBefore.postgres,
    };
    const paidAt = new Map(receiver.ofType('order.paid').map((r) => [JSON.parse(r.body).data.id as string, r.receivedAt]));
    const issuedAt = new Map(receiver.ofType('invoice.issued').map((r) => [JSON.parse(r.body).data.order_id as string, r.receivedAt]));
    // The first arrival per recipient: a second copy of an email (a lapsed claim sent again) is counted apart, not as latency.
    const mailAt = new Map<string, number>();
    for (const [i, to] of smtp.recipients.entries()) if (!mailAt.has(to)) mailAt.set(to, smtp.receivedAt[i]);
    const lat = { paid: [] as number[], mail: [] as number[], issued: [] as number[] };
    for (const e of events) {
      const t0 = accepted.get(e.orderId);
      if (t0 === undefined) continue;
      if (paidAt.has(e.orderId)) lat.paid.push(paidAt.get(e.orderId)! - t0);
      if (mailAt.has(e.email)) lat.mail.push(mailAt.get(e.email)! - t0);
      if (issuedAt.has(e.orderId)) lat.issued.push(issuedAt.get(e.orderId)! - t0);
    }
    const row = (name: string, xs: number[]) => console.log(`  ${name.padEnd(34)} ${String(xs.length).padStart(5)}/${N}  p50 ${pct(xs, 50)} ms  p99 ${pct(xs, 99)} ms`);
    console.log(`\nbench:e2e — ${N} signed checkout.session.completed events offered at ${RATE}/s (api and ${WORKERS} worker process${WORKERS > 1 ? 'es' : ''}, each its own process; build ${DIST})`);
    console.log(`  sustained: ${(accepted.size / sendSeconds).toFixed(0)} events/s accepted (${failures} refused) over ${sendSeconds.toFixed(1)} s`);
    row('event accepted -> order.paid', lat.paid);
    row('event accepted -> email received', lat.mail);
    row('event accepted -> invoice.issued', lat.issued);
    const perEvent = (s: number) => ((s * 1000) / Math.max(1, accepted.size)).toFixed(1);
    console.log(`  CPU per event (from the first event sent to the last email/announcement): api ${perEvent(cpu.api)} ms, ` +
      `worker${WORKERS > 1 ? 's' : ''} ${perEvent(cpu.worker)} ms, PostgreSQL ${perEvent(cpu.postgres)} ms (every client of the server), ` +
      `this bench process (Stripe emulator, SMTP sink, receiver) ${perEvent(cpu.bench)} ms`);
    // The backends report their counters at most about a second after their transactions.
    await new Promise((r) => setTimeout(r, 1500));
    const counters = await databaseCounters(dbUrl.toString());
    console.log(`  PostgreSQL per event (this database): ${((counters.commits - countersBefore.commits) / Math.max(1, accepted.size)).toFixed(1)} commits, ` +
      `${((counters.rowsWritten - countersBefore.rowsWritten) / Math.max(1, accepted.size)).toFixed(1)} rows written (inserted, updated, deleted)`);
    console.log(`  emails received: ${smtp.receivedAt.length} for ${mailAt.size} recipients (${smtp.receivedAt.length - mailAt.size} sent twice); SMTP connection errors: ${smtp.connectionErrors.length}`);
    console.log(`  peak RSS: api ${peakRssMb(api.pid!).toFixed(0)} MB, worker${WORKERS > 1 ? 's' : ''} ${workers.map((w) => peakRssMb(w.pid!).toFixed(0)).join(' / ')} MB`);
    await printStages(dbUrl.toString(), events, { accepted, paid: paidAt, issued: issuedAt, mail: mailAt });
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((ch) => new Promise((r) => (ch.exitCode !== null ? r(null) : ch.once('exit', r)))));
    await Promise.allSettled([emulator.stop(), smtp.stop(), receiver.stop()]);
    await clearQueueKeys(base.redisUrl, PREFIX);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
