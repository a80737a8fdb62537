/**
 * bench:delivery's throughput part (bench-delivery.ts runs it once per endpoint count): the bare sender, then a warm
 * worker draining a committed backlog, then the bare sender again; it prints both rates and the share, and where the
 * CPU went per delivery and per bare request (worker, PostgreSQL, this process's receiver; the bare sender).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { PartnerReceiver } from '@app/dev-servers';
import { BARE_IN_FLIGHT, bareSender } from './bench-bare-sender';
import { cpuSplitOf, pgBackendCpu, untilQuiet } from './bench-support';

export interface ThroughputBench {
  db: DataSource;
  receiver: PartnerReceiver;
  /** The endpoints' URLs, one per partner, in the order messages are spread over them. */
  urls: string[];
  pgCpu: ReturnType<typeof pgBackendCpu>;
  /** Commits that many messages in one outbox transaction, round-robin over the endpoints. */
  publishBacklog(count: number): Promise<void>;
  analyze(): Promise<void>;
  /** Forks a worker; the returned function stops it (SIGTERM) and resolves once it has exited. */
  startWorker(): (() => Promise<void>) & { pid: number };
}

/** This process's CPU (the receiver, and the bench's own polling) in µs since `from`. */
const ownCpuSince = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return used.user + used.system;
};

/**
 * `messages` deliveries after `warmUp` more: the bare sender sends as many first, untimed, and the worker drains that
 * many first, uncounted, so that both are measured warm (code compiled, connections open), as in production.
 */
export async function throughput(b: ThroughputBench, messages: number, warmUp: number): Promise<void> {
  // 250 messages per outbox transaction, 8 transactions at once.
  const commit = async (count: number) => {
    const chunks = Array.from({ length: Math.ceil(count / 250) }, (_, i) => Math.min(250, count - i * 250));
    for (let i = 0; i < chunks.length; i += 8) await Promise.all(chunks.slice(i, i + 8).map((n) => b.publishBacklog(n)));
  };
  // The bare sender runs before the engine and after it, the share is of their mean: on a shared machine one run
  // read from 9,500 to 26,000 requests/s minutes apart.
  b.receiver.received.length = 0;
  let ownBefore = process.cpuUsage();
  const bareBefore = await bareSender(b.urls, messages, warmUp);
  const receiverPerBareRequest = [ownCpuSince(ownBefore) / (messages + warmUp)];

  await commit(warmUp);
  b.receiver.received.length = 0;
  const stop = b.startWorker();
  for (; b.receiver.received.length < warmUp; await sleep(100)) process.kill(stop.pid, 0); // throws once it is gone
  await untilQuiet(stop.pid);
  // The measured backlog is committed with the warm worker stopped (SIGSTOP): it then finds it all due at once, as
  // after an outage, instead of racing this process's inserts. Its leases may lapse meanwhile: it takes them again.
  process.kill(stop.pid, 'SIGSTOP');
  process.stdout.write(`\n${messages} messages for ${b.urls.length} endpoints (after ${warmUp} drained to warm the worker up): committing… `);
  await commit(messages);
  await b.analyze();
  await b.db.query(`TRUNCATE attempts`);
  console.log('done');
  b.receiver.received.length = 0;
  ownBefore = process.cpuUsage();
  process.kill(stop.pid, 'SIGCONT');
  let delivered = 0;
  // The worker's CPU (from /proc) between the first poll that sees deliveries and the last one.
  let cpuFrom: { user: number; system: number; delivered: number } | null = null;
  let cpuTo: { user: number; system: number } | null = null;
  const deadline = Date.now() + 300_000;
  while (delivered < messages && Date.now() < deadline) {
    await sleep(100);
    // PostgreSQL's count only once all have arrived: every 100 ms it cost the database ~2.5 ms, taken from the engine.
    const received = b.receiver.received.length;
    delivered = received < messages ? received : (await b.db.query(`SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivered'`))[0].n - warmUp;
    const cpu = await cpuSplitOf(stop.pid);
    if (cpu && delivered > 0) {
      if (!cpuFrom) await b.pgCpu.mark();
      else await b.pgCpu.sample();
      cpuFrom ??= { ...cpu, delivered };
      cpuTo = cpu;
    }
  }
  const receiverPerDelivery = ownCpuSince(ownBefore) / messages;
  await stop();

  b.receiver.received.length = 0;
  ownBefore = process.cpuUsage();
  const bareAfter = await bareSender(b.urls, messages, warmUp);
  receiverPerBareRequest.push(ownCpuSince(ownBefore) / (messages + warmUp));
  const bare = (bareBefore.perSecond + bareAfter.perSecond) / 2;
  const bareCpu = (bareBefore.cpuUs + bareAfter.cpuUs) / 2;
  const bareReceiverCpu = (receiverPerBareRequest[0] + receiverPerBareRequest[1]) / 2;
  console.log(
    `  bare undici sender (${BARE_IN_FLIGHT} in flight, signed 2 KB bodies, no database, ${warmUp} requests first to warm up): ${bare.toFixed(0)} requests/s` +
      ` (mean of ${bareBefore.perSecond.toFixed(0)} before the engine and ${bareAfter.perSecond.toFixed(0)} after it)`,
  );
  const [t] = await b.db.query(`SELECT count(*)::int AS attempts, extract(epoch FROM max(attempted_at) - min(attempted_at)) AS seconds FROM attempts`);
  const rate = delivered / Number(t.seconds);
  console.log(
    `  engine: ${delivered}/${messages} delivered, ${t.attempts} attempts recorded, ${Number(t.seconds).toFixed(2)} s -> ${Math.round(rate)} deliveries/s` +
      ` = ${Math.round((100 * rate) / bare)} % of the bare sender`,
  );
  if (!cpuFrom || !cpuTo || delivered <= cpuFrom.delivered) return;
  const [user, system, n] = [cpuTo.user - cpuFrom.user, cpuTo.system - cpuFrom.system, delivered - cpuFrom.delivered];
  const workerCpu = (1e6 * (user + system)) / n;
  console.log(
    `  worker CPU over the last ${n} deliveries: ${(user + system).toFixed(2)} s (user ${user.toFixed(2)}, system ${system.toFixed(2)})` +
      ` = ${Math.round(workerCpu)} µs per delivery; load ${(await readFile('/proc/loadavg', 'utf8')).trim()}`,
  );
  const pg = await b.pgCpu.since();
  const pgCpu = (1e6 * pg.cpu) / n;
  console.log(
    `  PostgreSQL backends' CPU over the same deliveries: ${pg.cpu.toFixed(2)} s = ${Math.round(pgCpu)} µs per delivery;` +
      ` WAL ${Math.round(pg.walBytes / n)} bytes per delivery (the whole instance's)`,
  );
  // The machine's speed swings from run to run (the bare sender's own CPU per request read 35-67 µs in one hour):
  // this ratio of the same run's CPU per delivery is steadier than the ratio of rates.
  const engineCpu = workerCpu + pgCpu + receiverPerDelivery;
  console.log(
    `  CPU per delivery: worker ${Math.round(workerCpu)} + PostgreSQL ${Math.round(pgCpu)} + receiver ${Math.round(receiverPerDelivery)} = ${Math.round(engineCpu)} µs;` +
      ` per bare request: sender ${Math.round(bareCpu)} + receiver ${Math.round(bareReceiverCpu)} = ${Math.round(bareCpu + bareReceiverCpu)} µs` +
      ` (${Math.round((100 * (bareCpu + bareReceiverCpu)) / engineCpu)} % of the engine's)`,
  );
}
