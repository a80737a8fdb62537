import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A cluster node also listens on its port + 10000 for the cluster bus: both must be free. */
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port > 55535) continue;
    const bus = await new Promise<boolean>((resolve) => {
      const s = createServer().once('error', () => resolve(false)).listen(port + 10000, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (bus) return port;
  }
}

async function waitForPing(port: number): Promise<void> {
  const client = new IORedis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  for (let i = 0; i < 100; i++) {
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`redis-server did not start on ${port}`);
}

/** A Redis server of the test's own, so stopping it affects no other test. */
export class RedisProcess {
  private child?: ChildProcess;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPing(this.port);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/** Whether `redis-server` and `redis-cli` are on the PATH (tests that need them skip, saying so, when not). */
export function redisToolsAvailable(): boolean {
  return ['redis-server', 'redis-cli'].every((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0);
}

/**
 * A Redis Cluster of the test's own: three masters on free ports, no replicas,
 * no persistence, their cluster state files in a scratch directory.
 */
export class RedisClusterProcess {
  private readonly children: ChildProcess[] = [];
  private dir?: string;
  ports: number[] = [];

  /** REDIS_CLUSTER_NODES for the service. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  async start(masters = 3): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'ca-redis-cluster-'));
    for (let i = 0; i < masters; i++) this.ports.push(await freeClusterPort());
    for (const port of this.ports) {
      const child = spawn(
        'redis-server',
        ['--cluster-enabled', 'yes', '--port', String(port), '--bind', '127.0.0.1', '--cluster-config-file', join(this.dir, `nodes-${port}.conf`),
          '--dir', this.dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
        { stdio: 'ignore' },
      );
      this.children.push(child);
      await waitForPing(port);
    }
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    // Every node must agree the slots are covered before a client can rely on it.
    for (const port of this.ports) await this.waitForClusterOk(port);
  }

  /** Keys held by each master, by port. */
  async keysPerNode(): Promise<Record<number, number>> {
    const counts: Record<number, number> = {};
    for (const port of this.ports) {
      const client = new IORedis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      counts[port] = await client.dbsize();
      client.disconnect();
    }
    return counts;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.filter((c) => c.exitCode === null && c.signalCode === null).map(
        (child) => new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
      ),
    );
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitForClusterOk(port: number): Promise<void> {
    const client = new IORedis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    try {
      for (let i = 0; i < 200; i++) {
        if (String(await client.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`the cluster node on ${port} never reported cluster_state:ok`);
    } finally {
      client.disconnect();
    }
  }
}
