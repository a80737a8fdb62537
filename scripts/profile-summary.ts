/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from `BENCH_WORKER_PROFILE=<dir>` of bench:e2e) by self
 * time: the top functions, then per package (node_modules/<name>) or per project file, then garbage collection
 * and idle apart. `node dist/scripts/profile-summary.js <file.cpuprofile> [top=30]`. With BENCH_EVENTS beside
 * it, also prints ms per event (the profile covers the process's whole life: boot and preparation included).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: a package, a file of the project, node's internals, or V8's pseudo-frames. */
function ownerOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return url;
  const own = /\/dist\/(.*)$/.exec(url);
  return own ? own[1] : url;
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; the sample's own duration is the next delta.
    const d = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + d);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;
  const events = Number(process.env.BENCH_EVENTS ?? 0);
  const fmt = (us: number) =>
    `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%` + (events ? ` ${(us / 1000 / events).toFixed(3).padStart(7)} ms/event` : '');

  const group = (key: (n: ProfileNode) => string) => {
    const m = new Map<string, number>();
    for (const [id, us] of selfUs) {
      const n = byId.get(id)!;
      if (n.callFrame.functionName === '(idle)') continue;
      m.set(key(n), (m.get(key(n)) ?? 0) + us);
    }
    return [...m].sort((a, b) => b[1] - a[1]);
  };
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s profiled, busy ${(busy / 1e6).toFixed(1)} s (idle ${(idle / 1e6).toFixed(1)} s)`);
  console.log('\nby package / file (self time):');
  for (const [k, us] of group((n) => ownerOf(n.callFrame.url, n.callFrame.functionName)).slice(0, 25)) console.log(`  ${fmt(us)}  ${k}`);
  console.log('\nby function (self time):');
  const top = Number(topArg ?? 30);
  for (const [k, us] of group((n) => `${n.callFrame.functionName || '(anonymous)'} ${ownerOf(n.callFrame.url, '')}:${n.callFrame.lineNumber + 1}`).slice(0, top)) {
    console.log(`  ${fmt(us)}  ${k}`);
  }
}

main();
