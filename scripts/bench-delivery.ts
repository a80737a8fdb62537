/**
 * `npm run bench:delivery`: partner deliveries from the outbox to a fast local
 * receiver, through a real worker process, with every attempt recorded in
 * PostgreSQL, measured against a bare sender in the same run. Not a test: it
 * prints figures.
 *
 *  1. throughput, for each count in BENCH_ENDPOINTS (default "8,200"), one endpoint per partner (default settings: 10
 *     in flight): the bare sender, a separate process POSTing BENCH_MESSAGES (default 20,000) signed ~2 KB bodies to
 *     the same receiver and paths, undici keep-alive agent, 64 in flight, no database (what the wire allows here);
 *     then a worker process drains BENCH_WARMUP_MESSAGES committed messages to warm up, is stopped while as many
 *     messages as the bare sender sent are committed, and drains them: deliveries/s between the first and last
 *     recorded attempt. It prints both and the share (the bare sender run before the engine and after it: the mean).
 *  2. delay: BENCH_RATE messages/s (default 1,000) for BENCH_SECONDS (default 10) over the first endpoint count,
 *     through the production path: the outbox transaction alone (its commit wakes the engine), started once the worker
 *     listens for commits, decided every 10 ms by BENCH_PRODUCERS (default 2) producer processes
 *     (bench-delivery-producer.ts), each with its own pool, and committed BENCH_BATCH (default 20, the apply stage's
 *     batch) messages per transaction at most: what was decided since the last one; this process only receives. A
 *     message is created when its producer decided to send it, before its transaction; delay = created -> received,
 *     p50/p99, split into created -> committed (the producer), committed -> first attempt (wake-up and claim) and
 *     first attempt -> received (the send); with the rates decided and committed, and messages per transaction.
 *     Before the measured seconds the producers offer the same rate for BENCH_WARMUP_SECONDS (default 3), not counted.
 * BENCH_PARTS=throughput (or =delay) runs one part only.
 */
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { newId, scopeForOperator, TenantScope } from '@app/database';
import { PartnerReceiver } from '@app/dev-servers';
import { EndpointService, OutboxService } from '@app/webhooks';
import { WORKER_NODE_FLAGS } from '../apps/worker/src/node-flags';
import { throughput } from './bench-delivery-throughput';
import { producerContext, ProducerOrder, ProducerReport, ProducerWarmedUp, publish } from './bench-delivery-producer';
import { clearQueueKeys, cpuSecondsOf, freshBenchDatabase, pgBackendCpu } from './bench-support';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const ENDPOINT_COUNTS = (process.env.BENCH_ENDPOINTS ?? '8,200').split(',').map(Number);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/**
 * Seconds the producers offer the same rate before the measured ones (BENCH_WARMUP_SECONDS, default 3): a worker
 * and producers that have run a while, their code compiled, their connections open. Without it the first two
 * seconds' p50 was 330-400 ms and the rest's 15-20 ms (2026-12-04 23:41, load 2-4), and those two seconds made the p99.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
/**
 * Messages drained first in the throughput part, not counted (BENCH_WARMUP_MESSAGES, default 5,000; the bare sender
 * sends as many first): a worker that has run a while, as in production. From its boot, a fresh worker spent as much
 * CPU on other threads as on its event loop (TurboFan compiling the hot path: 1.1 s; the PDF render thread's warm-up:
 * 0.4-1.1 s) during a 3 s drain over 200 endpoints (2026-12-05).
 */
const WARMUP_MESSAGES = Number(process.env.BENCH_WARMUP_MESSAGES ?? 5_000);
/** BENCH_PARTS: which parts run, of "throughput,delay" (both by default). */
const PARTS = (process.env.BENCH_PARTS ?? 'throughput,delay').split(',');
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `benchdlv${randomBytes(3).toString('hex')}`;
/** Producer processes for the delay part (the machine has 2 cores; the worker and PostgreSQL need theirs too). */
const PRODUCERS = Number(process.env.BENCH_PRODUCERS ?? 2);
/** Messages per outbox transaction at most in the delay part: the apply stage commits up to 20 Stripe events' messages in one. */
const BATCH = Number(process.env.BENCH_BATCH ?? 20);
/** Outbox transactions each producer keeps in flight at most (BENCH_PRODUCER_IN_FLIGHT, default 16). */
const PRODUCER_IN_FLIGHT = Number(process.env.BENCH_PRODUCER_IN_FLIGHT ?? 16);
/** application_name of the bench's own PostgreSQL connections. */
const BENCH_APP = 'bench-delivery';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main(): Promise<void> {
  const dbUrl = await freshBenchDatabase(ADMIN_URL, 'comptappart_bench_delivery');
  const receiver = new PartnerReceiver();
  const receiverUrl = await receiver.start();
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: dbUrl,
    REDIS_URL,
    QUEUE_PREFIX: PREFIX,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
  };
  // The bench's own connections are named, so that PostgreSQL's CPU for the engine leaves them out (pgBackendCpu).
  const app = await producerContext({ ...env, DATABASE_URL: `${dbUrl}?application_name=${BENCH_APP}` });
  const db = app.get(DataSource);
  const pgCpu = pgBackendCpu(db, BENCH_APP);
  const outbox = app.get(OutboxService);
  let scopes: TenantScope[] = [];

  /** Partners, one endpoint each, through the same service the API uses; the previous part's rows are gone. */
  async function partners(count: number): Promise<void> {
    await db.query(`TRUNCATE partners, endpoints, orders, messages, deliveries, attempts CASCADE`);
    scopes = [];
    nextScope = 0;
    for (let i = 0; i < count; i++) {
      const partnerId = newId('par');
      await db.query(
        `INSERT INTO partners (id, name, legal_name, address, siren, email, invoice_prefix, default_vat_rate) VALUES ($1, 'Bench', 'Bench SAS', '{}', '123456789', 'bench@example.test', $2, 20)`,
        [partnerId, `B${i}`],
      );
      const scope = scopeForOperator({ id: partnerId }, 'staging');
      await app.get(EndpointService).create(scope, { url: `${receiverUrl}/${i}` });
      scopes.push(scope);
    }
  }

  /** Round-robin over the partners across calls: one-message transactions must not all go to the first endpoint. */
  let nextScope = 0;
  async function publishBacklog(count: number): Promise<void> {
    const first = nextScope;
    nextScope = (nextScope + count) % scopes.length;
    await publish(db, outbox, scopes, first, count);
  }

  /**
   * A production deliveries table has planner statistics; this one was created empty a moment ago (autovacuum would
   * analyze it after the drain). Without them PostgreSQL may answer the claim's ordering probe by scanning every pending
   * delivery of the endpoint instead of one entry of its order's index: 2,440 rows read per probe, 40-190 ms per claim
   * on 8 endpoints (measured before the waiting indexes, migration 1763800900000).
   */
  async function analyze(): Promise<void> {
    await db.query(`ANALYZE endpoints, messages, deliveries, attempts`);
  }

  function startWorker() {
    // BENCH_WORKER=<path to another build's dist/apps/worker/src/main.js>: that build's engine under this bench, for A/B runs.
    const worker = fork(process.env.BENCH_WORKER ?? join(__dirname, '..', 'apps', 'worker', 'src', 'main.js'), [], {
      env: { ...process.env, ...env, SWEEP_INTERVAL_MS: '1000', SWEEP_GRACE_MS: '0' },
      stdio: 'inherit',
      // With production's node flags. BENCH_WORKER_PROFILE=<dir>: the worker writes a CPU profile there when it stops.
      execArgv: [...WORKER_NODE_FLAGS, ...(process.env.BENCH_WORKER_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_WORKER_PROFILE] : [])],
    });
    // Never leave a worker behind (it would keep sweeping the next run's database).
    const kill = () => worker.kill('SIGKILL');
    process.once('exit', kill);
    const stop = async () => {
      if (worker.exitCode !== null || worker.signalCode !== null) throw new Error(`the worker exited (${worker.exitCode ?? worker.signalCode})`);
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
      process.off('exit', kill);
    };
    return Object.assign(stop, { pid: worker.pid! });
  }

  // 1. Throughput (bench-delivery-throughput.ts).
  for (const endpoints of PARTS.includes('throughput') ? ENDPOINT_COUNTS : []) {
    await partners(endpoints);
    await throughput({ db, receiver, urls: scopes.map((_, i) => `${receiverUrl}/${i}`), pgCpu, publishBacklog, analyze, startWorker }, MESSAGES, WARMUP_MESSAGES);
  }

  if (PARTS.includes('delay')) await delay();

  async function delay(): Promise<void> {
    // 2. Delay at a steady rate, production path: the outbox transaction; its commit is what wakes the engine.
    await partners(ENDPOINT_COUNTS[0]);
    receiver.received.length = 0;
    const stop = startWorker();
    // Messages committed before the worker LISTENs would only be found by its sweeper: measure from the moment it hears commits.
    for (const until = Date.now() + 60_000; Date.now() < until; await sleep(100)) {
      const [l] = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'delivery-wake' AND query ILIKE 'LISTEN%'`);
      if (l.n > 0) break;
    }
    // Warm the path up (connections, JIT, first claims) with one message per endpoint: the delay asked is the steady state's.
    await publishBacklog(scopes.length);
    // Statistics taken once the warm-up is recorded, not merely received: taken in between, they saw some of it still
    // pending or none, run by run, and the plans (of the build before the waiting indexes) followed them. Nothing
    // pending is what a production table looks like just before a sale.
    while ((await db.query(`SELECT count(*)::int AS n FROM deliveries WHERE status <> 'delivered'`))[0].n > 0) await sleep(50);
    await analyze();
    await db.query(`TRUNCATE attempts`);
    receiver.received.length = 0;
    // The producers, each a process with its own pool, offering an equal share of the rate; this process only receives.
    const producers = Array.from({ length: PRODUCERS }, () => fork(join(__dirname, 'bench-delivery-producer.js'), ['producer'], { stdio: 'inherit' }));
    const reports = producers.map(
      (child) =>
        new Promise<ProducerReport>((resolve, reject) => {
          child.on('message', (m) => typeof m === 'object' && m !== null && 'sent' in m && resolve(m as ProducerReport));
          child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`producer exited with ${code}`))));
        }),
    );
    const ready = producers.map((child) => new Promise((r) => child.on('message', (m) => m === 'ready' && r(m))));
    producers.forEach((child, i) =>
      child.send({
        env,
        partnerIds: scopes.map((s) => s.partnerId),
        rate: RATE / PRODUCERS,
        seconds: SECONDS,
        batch: BATCH,
        firstPartner: Math.floor((i * scopes.length) / PRODUCERS),
        maxInFlight: PRODUCER_IN_FLIGHT,
        warmupSeconds: WARMUP_SECONDS,
      } satisfies ProducerOrder),
    );
    await Promise.all(ready);
    if (WARMUP_SECONDS > 0) {
      const warmed = producers.map(
        (child) => new Promise<number>((r) => child.on('message', (m) => typeof m === 'object' && m !== null && 'warmedUp' in m && r((m as ProducerWarmedUp).warmedUp))),
      );
      producers.forEach((child) => child.send('go'));
      const warmupSent = (await Promise.all(warmed)).reduce((n, w) => n + w, 0);
      const lastDecided = Date.now();
      while ((await db.query(`SELECT count(*)::int AS n FROM deliveries WHERE status <> 'delivered'`))[0].n > 0) await sleep(50);
      console.log(
        `\nWarm-up: ${warmupSent} messages offered by the producers at the same rate for ${WARMUP_SECONDS} s (not counted below), ` +
          `all delivered ${Date.now() - lastDecided} ms after the producers' last commit`,
      );
      await analyze();
      await db.query(`TRUNCATE attempts`);
      receiver.received.length = 0;
    }
    producers.forEach((child) => child.send('go'));
    await pgCpu.mark();
    const [workerCpuBefore, goAt] = [(await cpuSecondsOf(stop.pid)) ?? 0, Date.now()];
    const activity = sampleActivity(db);
    // The producers' backends end with their pools, before the wait for receipts below: sampled while they run, or
    // their CPU is left out of the figure (it read ~0.3 core where /proc showed PostgreSQL using ~1 core).
    const done = await pgCpu.sampledWhile(Promise.all(reports));
    const sent = done.reduce((n, r) => n + r.sent, 0);
    const decidedRate = sent / Math.max(...done.map((r) => r.decidedSeconds));
    const committedRate = sent / Math.max(...done.map((r) => r.seconds));
    const transactions = done.reduce((n, r) => n + r.batchSizes.length, 0);
    const transactionMs = done.flatMap((r) => r.transactionMs).sort((a, b) => a - b);
    // From the producers' end, not the planned one: producers that fell behind the asked rate finish later.
    for (const until = Date.now() + 30_000; receiver.received.length < sent && Date.now() < until; ) {
      await pgCpu.sample();
      await sleep(200);
    }
    await pgCpu.sample();
    const pg = await pgCpu.since();
    const [workerCpu, workerWall] = [((await cpuSecondsOf(stop.pid)) ?? 0) - workerCpuBefore, (Date.now() - goAt) / 1000];
    const busy = await activity.stop();
    const [analyzed] = await db.query(`SELECT last_autoanalyze FROM pg_stat_user_tables WHERE relname = 'deliveries'`);
    await stop();
    const committedAt = new Map(done.flatMap((r) => r.committed));
    const rows: { id: string; order_id: string; created_at: Date; first_attempt: Date | null }[] = await db.query(
      `SELECT m.id, m.order_id, m.created_at, min(a.attempted_at) AS first_attempt FROM messages m LEFT JOIN attempts a ON a.message_id = m.id GROUP BY m.id`,
    );
    const messages = new Map(rows.map((r) => [r.id, r]));
    // Each message's first receipt (a retried one may come twice), split by stage.
    const stages = new Map<string, { created: number; total: number; commit: number; wake: number; send: number }>();
    for (const r of receiver.received) {
      const id = String(r.headers['webhook-id']);
      const m = messages.get(id)!;
      if (stages.has(id) || !committedAt.has(m.order_id)) continue;
      const created = m.created_at.getTime();
      const committed = committedAt.get(m.order_id)!;
      const attempted = m.first_attempt?.getTime() ?? r.receivedAt;
      stages.set(id, { created, total: r.receivedAt - created, commit: committed - created, wake: attempted - committed, send: r.receivedAt - attempted });
    }
    const all = [...stages.values()];
    const of = (stage: keyof (typeof all)[number]) => {
      const sorted = all.map((d) => d[stage]).sort((a, b) => a - b);
      return `p50 ${pct(sorted, 50)} ms, p99 ${pct(sorted, 99)} ms`;
    };
    // Where the slowest 1 % spent their time: the stages' means over the messages at or above the p99 delay.
    const p99 = pct(all.map((d) => d.total).sort((a, b) => a - b), 99);
    const slowest = all.filter((d) => d.total >= p99);
    const mean = (stage: keyof (typeof all)[number]) => Math.round(slowest.reduce((n, d) => n + d[stage], 0) / slowest.length);
    // A delay that grows second after second is a backlog (a stage slower than the rate), a flat one is latency.
    const start = Math.min(...all.map((d) => d.created));
    // Each second decided, whole and split by stage (with the first one's wall-clock time, to set beside PostgreSQL's log).
    const perSecond = Array.from({ length: Math.ceil(SECONDS) }, (_, i) => all.filter((d) => Math.floor((d.created - start) / 1000) === i));
    const bySecond = perSecond.map((s) => s.map((d) => d.total).sort((a, b) => a - b));
    const stageOf = (s: typeof all, stage: 'commit' | 'wake' | 'send') => {
      const sorted = s.map((d) => d[stage]).sort((a, b) => a - b);
      return `${pct(sorted, 50)}/${pct(sorted, 99)}`;
    };
    console.log(
      `\nDelay at ${Math.round(decidedRate)} messages/s decided (asked ${RATE}, ${PRODUCERS} producer processes, ${SECONDS} s), ` +
        `${Math.round(committedRate)} messages/s committed, ${(sent / transactions).toFixed(1)} messages per outbox transaction (at most ${BATCH}), ${ENDPOINT_COUNTS[0]} endpoints: ` +
        `${stages.size}/${sent} received; created (decided, before the transaction) -> received ${of('total')}, max ${Math.max(...all.map((d) => d.total))} ms` +
        `\n  by stage: created -> committed ${of('commit')}; committed -> first attempt (wake-up, claim) ${of('wake')}; first attempt -> received (send) ${of('send')}` +
        `\n  outbox transaction BEGIN -> COMMIT ${pct(transactionMs, 50)} ms p50, ${pct(transactionMs, 99)} ms p99` +
        `\n  slowest 1 % (${slowest.length} messages, >= ${p99} ms), mean: committed after ${mean('commit')} ms, first attempt ${mean('wake')} ms later, received ${mean('send')} ms later` +
        `\n  created -> received p50 per second decided: ${bySecond.map((s) => pct(s, 50) ?? '-').join(', ')} ms` +
        `\n  per second decided from ${new Date(start).toISOString()}, p50/p99 ms of created -> committed | -> first attempt | -> received: ` +
        perSecond.map((s) => (s.length ? `${stageOf(s, 'commit')} | ${stageOf(s, 'wake')} | ${stageOf(s, 'send')}` : '-')).join('; ') +
        `\n  worker CPU ${workerCpu.toFixed(1)} s in the ${workerWall.toFixed(1)} s from go to the last receipt` +
        ` (${Math.round((1e6 * workerCpu) / Math.max(1, stages.size))} µs per message); PostgreSQL backends (producers' included) ${pg.cpu.toFixed(1)} s` +
        ` (${Math.round((1e6 * pg.cpu) / Math.max(1, stages.size))} µs per message), WAL ${Math.round(pg.walBytes / Math.max(1, stages.size))} bytes per message; deliveries auto-analyzed ` +
        (analyzed.last_autoanalyze ? `${((analyzed.last_autoanalyze.getTime() - start) / 1000).toFixed(1)} s after the first decision` : 'never') +
        `\n  PostgreSQL sessions active, mean over ${busy.samples} samples (query start, wait): ${busy.top}`,
    );
  }

  await app.close();
  await receiver.stop();
  await clearQueueKeys(REDIS_URL, PREFIX);
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS comptappart_bench_delivery WITH (FORCE)');
  await admin.end();
}

/**
 * What the database's sessions are busy with, sampled every 50 ms until stopped: the mean number of active
 * sessions per statement (its first words) and wait event, the busiest first. Shows whether a stage waits for
 * PostgreSQL (claims queueing, commits waiting for the WAL flush) or for its own process.
 */
function sampleActivity(db: DataSource) {
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows: { q: string; w: string }[] = await db.query(
        `SELECT regexp_replace(left(query, 48), '\\s+', ' ', 'g') AS q, coalesce(wait_event_type || ':' || wait_event, 'cpu') AS w
         FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
      );
      samples++;
      for (const r of rows) counts.set(`${r.q} (${r.w})`, (counts.get(`${r.q} (${r.w})`) ?? 0) + 1);
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6);
      return { samples, top: top.map(([k, n]) => `${(n / samples).toFixed(2)} ${k}`).join('; ') };
    },
  };
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
