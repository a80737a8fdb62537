import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SCAN_ENV, scanFiles, SECRET_SCAN_ROOT } from './secret-scan';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Turns the run's secret scan on: the in-process stacks (test-stack.ts) and
 * the forked api and worker (service-process.ts inherits this environment)
 * append their log lines to one file (from `log` up, whatever the test's
 * LOG_LEVEL for stdout), and scratch databases are scanned before they are
 * dropped. The folders of finished runs are removed; a run still going keeps its own.
 */
export default function setup(): void {
  mkdirSync(SECRET_SCAN_ROOT, { recursive: true });
  for (const name of readdirSync(SECRET_SCAN_ROOT)) {
    const pid = /^run-(\d+)$/.exec(name)?.[1];
    if (!pid || !alive(Number(pid))) rmSync(join(SECRET_SCAN_ROOT, name), { recursive: true, force: true });
  }
  const dir = join(SECRET_SCAN_ROOT, `run-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(scanFiles(dir).logDir, { recursive: true });
  process.env[SCAN_ENV] = dir;
  process.env.LOG_FILE = join(scanFiles(dir).logDir, 'services.log');
}
