import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './redis-process';
import { waitFor } from './wait-for';

const DIST = join(__dirname, '..', '..', 'dist', 'apps');

/** The compiled api or worker as a real OS process (`npm test` builds dist/ first). */
export class ServiceProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];

  constructor(private readonly app: 'api' | 'worker', private readonly env: Record<string, string>) {}

  static available(): boolean {
    return existsSync(join(DIST, 'api', 'src', 'main.js')) && existsSync(join(DIST, 'worker', 'src', 'main.js'));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.child = fork(join(DIST, this.app, 'src', 'main.js'), [], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child.stdout!.on('data', (d: Buffer) => this.output.push(d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => this.output.push(d.toString()));
  }

  /**
   * Sends the signal and resolves once the process is gone: with its exit
   * code, or the signal that ended it (Nest re-raises SIGTERM after its
   * shutdown hooks, so a clean stop ends with 'SIGTERM').
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | NodeJS.Signals | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? child?.signalCode ?? null;
    const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
    child.kill(signal);
    return exited;
  }
}

/** A worker process of a test stack on a health port of its own, not started yet. */
export interface WorkerOnPort {
  process: ServiceProcess;
  port: number;
  /** Resolves once the started worker answers /health/ready (PostgreSQL and Redis reachable). */
  ready(): Promise<void>;
}

export async function workerOnFreePort(stack: { processEnv(overrides?: Record<string, string>): Record<string, string> }, overrides: Record<string, string> = {}): Promise<WorkerOnPort> {
  const port = await freePort();
  const ready = async () => {
    await waitFor(`worker on ${port} ready`, async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null))?.ok ?? false, 60_000, 100);
  };
  return { process: new ServiceProcess('worker', stack.processEnv({ ...overrides, WORKER_HTTP_PORT: String(port) })), port, ready };
}
