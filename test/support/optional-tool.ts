import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether an executable is on PATH (checked without running anything). */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

const announced = new Set<string>();

/**
 * One plain line on stderr naming what was left out and the optional tool it
 * needs (README, "Optional tools"), so a green run without it is not taken for
 * a full one. Written past Jest's console, which would add a stack trace.
 */
export function announceSkipped(what: string, tool: string, how: string): void {
  const line = `SKIPPED ${what}: needs ${tool} (${how})`;
  if (announced.has(line)) return;
  announced.add(line);
  process.stderr.write(`${line}\n`);
}
