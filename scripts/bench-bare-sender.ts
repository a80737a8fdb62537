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

/** Runs the bare sender in a process of its own, as the worker is, and returns its requests/s. */
export function bareSender(urls: string[], count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['bare-sender'], { env: { ...process.env, BARE_URLS: urls.join(' '), BARE_COUNT: String(count) } });
    child.once('message', (m) => resolve(Number(m)));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`bare sender exited with ${code}`))));
  });
}

/** The wire's ceiling: signed bodies POSTed round-robin over the endpoints' URLs, keep-alive, a fixed number in flight. */
async function runBareSender(): Promise<void> {
  const urls = process.env.BARE_URLS!.split(' ');
  const count = Number(process.env.BARE_COUNT);
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  const secret = generateSigningSecret();
  const body = JSON.stringify({ type: 'order.expired', timestamp: new Date().toISOString(), data: benchOrder('ord_bare') });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: BARE_IN_FLIGHT }, async () => {
      while (next < count) {
        const i = next++;
        const id = `msg_bare${i}`;
        const res = await request(urls[i % urls.length], { method: 'POST', headers: webhookHeaders([secret], id, Math.floor(Date.now() / 1000), body), body, dispatcher: agent });
        await res.body.text();
      }
    }),
  );
  const perSecond = count / ((performance.now() - started) / 1000);
  await agent.close();
  process.send!(perSecond, () => process.exit(0));
}

if (process.argv[2] === 'bare-sender') {
  runBareSender().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
