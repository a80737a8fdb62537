import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SmtpCatcher } from '@app/dev-servers';
import { MIGRATIONS } from '../migrations';
import { clearQueueKeys } from '../scripts/bench-support';
import { ComposeService, fillPlaceholders, imageEnvironment, loadCompose, readRoot, ROOT, serviceEnvironment, stageLines } from './support/compose-file';
import { ADMIN_DATABASE_URL } from './support/scratch-database';
import { waitFor } from './support/wait-for';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const compiled = existsSync(join(ROOT, 'dist', 'scripts', 'migrate.js'));

/**
 * `docker compose up` without a Docker engine: migrate, api and worker run from the compiled
 * dist/, laid out as the image lays out /app, with exactly the environment compose gives each
 * (the image's ENV, the operator's .env.production made from .env.production.example as the
 * README says, then `environment`). The only changes are those the network would make: compose
 * host names become 127.0.0.1 and ports become free local ones; the database is a scratch one
 * and Redis keys get a prefix of their own.
 */
(compiled ? describe : describe.skip)('docker compose, run without Docker', () => {
  const compose = loadCompose();
  const operatorFile = fillPlaceholders(readRoot('.env.production.example'));
  const smtp = new SmtpCatcher();
  const database = `ca_test_${randomBytes(6).toString('hex')}`;
  const prefix = `ca_compose_${randomBytes(4).toString('hex')}`;
  const appDir = mkdtempSync(join(tmpdir(), 'ca-compose-'));
  const running: ChildProcess[] = [];
  /** Where each compose service's container port answers on this machine. */
  const published = new Map<string, number>();
  const stopped = new Map<ChildProcess, number | NodeJS.Signals | null>();

  beforeAll(async () => {
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`); // empty: the migrate service creates the schema
    await admin.end();
    const postgres = new URL(ADMIN_DATABASE_URL);
    const redis = new URL(REDIS_URL);
    const mail = new URL(await smtp.start());
    published.set('postgres:5432', Number(postgres.port || 5432));
    published.set('redis:6379', Number(redis.port || 6379));
    published.set('mailpit:1025', Number(mail.port));
    // /app in the image: what the app stage copies, taken from the host's build.
    for (const line of stageLines('app').filter((l) => l.startsWith('COPY '))) {
      const [from, to] = line.split(/\s+/).filter((w) => !w.startsWith('--')).slice(1);
      const source = join(ROOT, from.replace(/^\/app\//, ''));
      const target = join(appDir, to.endsWith('/') ? from.split('/').pop()! : to);
      if (to.endsWith('/')) copyFileSync(source, target);
      else symlinkSync(source, target);
    }
  });

  afterAll(async () => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await smtp.stop();
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await clearQueueKeys(REDIS_URL, prefix);
    rmSync(appDir, { recursive: true, force: true });
  });

  /** The service's environment as compose builds it, then moved from the compose network to this machine. */
  async function environmentOf(name: string): Promise<Record<string, string>> {
    const composed = { ...imageEnvironment('app'), ...serviceEnvironment(compose.services[name], (path) => (path === '.env.production' ? operatorFile : readRoot(path))) };
    const local: Record<string, string> = { PATH: process.env.PATH!, HOME: appDir };
    for (const [key, value] of Object.entries(composed)) {
      if (/PORT$/.test(key) && /^[1-9]\d*$/.test(value)) {
        // A port this container listens on.
        const port = published.get(`${name}:${value}`) ?? (await freePort());
        published.set(`${name}:${value}`, port);
        local[key] = String(port);
      } else {
        local[key] = onThisMachine(value);
      }
    }
    local.QUEUE_PREFIX = prefix;
    return local;
  }

  function onThisMachine(value: string): string {
    if (!URL.canParse(value)) return value;
    const url = new URL(value);
    if (!compose.services[url.hostname]) return value;
    const port = published.get(`${url.hostname}:${url.port || { postgres: 5432, redis: 6379 }[url.protocol.replace(/:$/, '')]}`);
    if (!port) throw new Error(`No local stand-in for ${url.host}`);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    if (url.protocol === 'postgres:') url.pathname = `/${database}`;
    return url.toString();
  }

  function run(name: string, env: Record<string, string>): ChildProcess & { output: string[] } {
    const [command, ...args] = compose.services[name].command!;
    expect(command).toBe('node');
    const child = spawn(process.execPath, args, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { output: string[] };
    child.output = [];
    child.stdout!.on('data', (d: Buffer) => child.output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => child.output.push(d.toString()));
    child.once('exit', (code, signal) => stopped.set(child, code ?? signal));
    running.push(child);
    return child;
  }

  /** The compose health check, run as Docker runs it inside the container, on the local port. */
  function healthcheck(name: string, service: ComposeService, env: Record<string, string>): Promise<boolean> {
    const [kind, command, ...args] = service.healthcheck!.test;
    expect([kind, command]).toEqual(['CMD', 'node']);
    const local = args.map((a) => a.replace(/127\.0\.0\.1:(\d+)/g, (_, port: string) => `127.0.0.1:${published.get(`${name}:${port}`)}`));
    return new Promise((resolve) => execFile(process.execPath, local, { env, timeout: 10_000 }, (err) => resolve(!err)));
  }

  it('migrates an empty database, then the api and the worker become healthy in production mode and stop cleanly', async () => {
    const migrate = run('migrate', await environmentOf('migrate'));
    await waitFor('migrate to exit', () => stopped.has(migrate), 60_000);
    expect({ exit: stopped.get(migrate), output: migrate.output.join('') }).toMatchObject({ exit: 0, output: expect.stringContaining('Migrations applied') });
    const db = new Client({ connectionString: onThisMachine('postgres://postgres@postgres:5432/x') });
    await db.connect();
    const { rows } = await db.query('SELECT count(*)::int AS n FROM migrations');
    await db.end();
    expect(rows[0].n).toBe(MIGRATIONS.length);

    const apps = await Promise.all(['api', 'worker'].map(async (name) => ({ name, env: await environmentOf(name) })));
    const children = apps.map(({ name, env }) => ({ name, env, child: run(name, env) }));
    for (const { name, env, child } of children) {
      await waitFor(`${name} to pass its compose health check`, async () => {
        if (stopped.has(child)) throw new Error(`${name} exited: ${child.output.join('')}`);
        return healthcheck(name, compose.services[name], env);
      }, 60_000, 250);
      expect(child.output.join('')).not.toContain('Development defaults');
    }
    // What a Prometheus on the compose network scrapes (README, "Deploy with Docker Compose").
    for (const [name, port] of [['api', apps[0].env.API_METRICS_PORT], ['worker', apps[1].env.WORKER_HTTP_PORT]]) {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect({ name, status: res.status, body: (await res.text()).includes('process_cpu_seconds_total') }).toEqual({ name, status: 200, body: true });
    }
    for (const { child } of children) child.kill('SIGTERM');
    for (const { name, child } of children) {
      await waitFor(`${name} to stop`, () => stopped.has(child), 30_000);
      // Nest re-raises SIGTERM once its shutdown hooks have run.
      const exit = stopped.get(child);
      expect({ name, exit, clean: exit === 0 || exit === 'SIGTERM' }).toMatchObject({ name, clean: true });
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
