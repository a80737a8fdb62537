import { setTimeout as sleep } from 'node:timers/promises';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { migrate } from '@app/database';

/** A fresh, migrated database beside the configured one, for one benchmark; returns its URL. */
export async function freshBenchDatabase(baseUrl: string, name: string): Promise<string> {
  const admin = new URL(baseUrl);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return url.toString();
}

/** Removes a benchmark's queue keys, before and after a run, so nothing it left is processed later. */
export async function clearQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}

/** User and kernel CPU seconds a process has used so far, from /proc/<pid>/stat; null where /proc is not there (or the process is gone). */
export async function cpuSplitOf(pid: number): Promise<{ user: number; system: number } | null> {
  try {
    const { readFile } = await import('node:fs/promises');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks of 1/100 s.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far; null where /proc is not there. */
export async function cpuSecondsOf(pid: number): Promise<number | null> {
  const split = await cpuSplitOf(pid);
  return split && split.user + split.system;
}

/**
 * The CPU of a database's PostgreSQL backends, except the bench's own (application_name `exclude`), read from
 * /proc as for the worker: PostgreSQL runs on this machine, and its CPU per delivery is as much the engine's cost as
 * the worker's. `sample` reads every backend seen so far; `since` sums what they used after `mark` (a backend born
 * after the mark counts whole). With the WAL written meanwhile (the whole instance's: other databases' writes count).
 */
export function pgBackendCpu(db: { query: (sql: string, params?: unknown[]) => Promise<any[]> }, exclude: string) {
  const seen = new Map<number, number>();
  let marked = new Map<number, number>();
  let walAt = '0/0';
  const sample = async () => {
    const rows: { pid: number }[] = await db.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND coalesce(application_name, '') <> $1`,
      [exclude],
    );
    for (const { pid } of rows) {
      const cpu = await cpuSecondsOf(pid);
      if (cpu !== null) seen.set(pid, cpu);
    }
  };
  return {
    sample,
    /** `work`'s result, the backends sampled every 500 ms while it runs (backends that end with it still count). */
    async sampledWhile<T>(work: Promise<T>): Promise<T> {
      let running = true;
      const sampling = (async () => {
        while (running) {
          await sample();
          await sleep(500);
        }
      })();
      try {
        return await work;
      } finally {
        running = false;
        await sampling;
      }
    },
    async mark() {
      await sample();
      marked = new Map(seen);
      walAt = (await db.query(`SELECT pg_current_wal_lsn()::text AS lsn`))[0].lsn;
    },
    async since(): Promise<{ cpu: number; walBytes: number }> {
      let cpu = 0;
      for (const [pid, now] of seen) cpu += now - (marked.get(pid) ?? 0);
      const [{ bytes }] = await db.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::float8 AS bytes`, [walAt]);
      return { cpu, walBytes: Number(bytes) };
    },
  };
}

/**
 * Resolves once process `pid` has used under a tenth of a core for half a second (a worker done with its boot-time
 * work, such as the PDF render thread's warm-up), or after `timeoutMs` all the same.
 */
export async function untilQuiet(pid: number, timeoutMs = 30_000): Promise<void> {
  let last = await cpuSecondsOf(pid);
  for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
    await sleep(500);
    const now = await cpuSecondsOf(pid);
    if (now === null || last === null || now - last < 0.05) return;
    last = now;
  }
}
