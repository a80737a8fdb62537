/**
 * bench:delivery's bare sender: what the wire allows on this machine, with no engine and no database. bench-delivery.ts
 * forks this file (argument `bare-sender`) before and after the engine, each time in a process of its own, as the
 * worker is.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'undici';
import { generateSigningSecret, webhookHeaders } from '@app/webhooks';
import { benchOrder } from './bench-delivery-producer';

export const BARE_IN_FLIGHT = 64;

/** What a run of the bare sender measured over its timed requests: requests/s, and its CPU per request (µs). */
export interface BareRun {
  perSecond: number;
  cpuUs: number;
}

/**
 * Runs the bare sender in a process of its own, as the worker is, over `count` requests timed after `warmUp` more
 * (its code compiled and its connections open, as the warm worker's it is compared with).
 */
export function bareSender(urls: string[], count: number, warmUp: number): Promise<BareRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, BARE_URLS: urls.join(' '), BARE_COUNT: String(count), BARE_WARM_UP: String(warmUp) };
    const child = fork(__filename, ['bare-sender'], { env });
    child.once('message', (m) => resolve(m as BareRun));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`bare sender exited with ${code}`))));
  });
}

/** The wire's ceiling: signed bodies POSTed round-robin over the endpoints' URLs, keep-alive, a fixed number in flight. */
async function runBareSender(): Promise<void> {
  const urls = process.env.BARE_URLS!.split(' ');
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  const secret = generateSigningSecret();
  const body = JSON.stringify({ type: 'order.expired', timestamp: new Date().toISOString(), data: benchOrder('ord_bare') });
  let next = 0;
  const send = (count: number) =>
    Promise.all(
      Array.from({ length: BARE_IN_FLIGHT }, async () => {
        while (next < count) {
          const i = next++;
          const id = `msg_bare${i}`;
          const res = await request(urls[i % urls.length], { method: 'POST', headers: webhookHeaders([secret], id, Math.floor(Date.now() / 1000), body), body, dispatcher: agent });
          await res.body.text();
        }
      }),
    );
  // One count of requests sent so far (`next`): the timed requests are those from `warmUp` on.
  const warmUp = Number(process.env.BARE_WARM_UP ?? 0);
  await send(warmUp);
  const [started, cpuBefore] = [performance.now(), process.cpuUsage()];
  await send(warmUp + Number(process.env.BARE_COUNT));
  const cpu = process.cpuUsage(cpuBefore);
  const run: BareRun = {
    perSecond: Number(process.env.BARE_COUNT) / ((performance.now() - started) / 1000),
    cpuUs: (cpu.user + cpu.system) / Number(process.env.BARE_COUNT),
  };
  await agent.close();
  process.send!(run, () => process.exit(0));
}

if (process.argv[2] === 'bare-sender') {
  runBareSender().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
