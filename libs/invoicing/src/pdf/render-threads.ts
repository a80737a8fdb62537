import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InvoiceDocument } from './invoice-document';
import type { RenderReply, RenderRequest } from './render-thread';

interface Pending {
  resolve(pdf: Buffer): void;
  reject(err: Error): void;
}

interface RenderThread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Renders PDFs in worker threads, off the caller's event loop: a render is ~3 ms of CPU (pdfkit, fontkit, zlib) plus
 * the garbage it leaves, and at 100 events/s the worker's one event loop had no room left for them (issue #14).
 *
 * A thread that dies (a crash, an out-of-memory, terminate) fails the renders it had with an error and is started
 * again at the next render; the caller decides what a failed render means (the document stage leaves the document
 * claimed and renders it again when the lease lapses). Threads hold the process open only while they have renders.
 */
export class RenderThreads {
  private readonly threads: (RenderThread | null)[];
  private nextId = 1;
  private closed = false;

  constructor(size: number) {
    if (size < 1) throw new Error(`RenderThreads needs at least one thread, got ${size}`);
    this.threads = Array.from({ length: size }, () => null);
  }

  render(doc: InvoiceDocument): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('render threads closed'));
    const thread = this.leastBusy();
    const id = this.nextId++;
    // Only the logo's own bytes (a Buffer may be a view into a larger pool), transferred rather than copied twice.
    const logo = doc.logo ? new Uint8Array(doc.logo) : null;
    const request: RenderRequest = { id, doc: { ...doc, logo } };
    return new Promise<Buffer>((resolve, reject) => {
      if (thread.pending.size === 0) thread.worker.ref();
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage(request, logo ? [logo.buffer] : []);
    });
  }

  /**
   * Starts every thread now (the worker's boot) rather than at the first render: a thread's start loads pdfkit,
   * fontkit and the fonts in a fresh isolate (~0.5-1 s), which on demand was the first batch's wait (bench:e2e at
   * 30/s: PDF rendered p99 1.1 s with a thread started on demand, 0.5 s on the event loop).
   */
  warm(): void {
    if (this.closed) return;
    for (let i = 0; i < this.threads.length; i++) this.threads[i] ??= this.start(i);
  }

  /** Renders waiting for a thread or in one. */
  get pending(): number {
    return this.threads.reduce((n, t) => n + (t?.pending.size ?? 0), 0);
  }

  /** The running threads (tests end one to check that a dead thread loses nothing). */
  get workers(): Worker[] {
    return this.threads.filter((t): t is RenderThread => t !== null).map((t) => t.worker);
  }

  /** Ends every thread; the renders they had fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private leastBusy(): RenderThread {
    let best = 0;
    for (let i = 0; i < this.threads.length; i++) {
      const thread = this.threads[i];
      if (!thread) {
        // Started on demand: a process that never renders (the api) never starts one, and a thread that dies at
        // start cannot spin in a restart loop.
        best = i;
        break;
      }
      if (thread.pending.size < this.threads[best]!.pending.size) best = i;
    }
    return (this.threads[best] ??= this.start(best));
  }

  private start(index: number): RenderThread {
    const thread: RenderThread = { worker: startRenderThread(), pending: new Map() };
    thread.worker.unref();
    thread.worker.on('message', (reply: RenderReply) => {
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      if (thread.pending.size === 0) thread.worker.unref();
      if ('pdf' in reply) pending.resolve(Buffer.from(reply.pdf));
      else pending.reject(new Error(reply.error));
    });
    // 'error' (an uncaught exception in the thread) is always followed by 'exit'.
    let failure: Error | undefined;
    thread.worker.on('error', (err) => (failure = err));
    thread.worker.on('exit', (code) => {
      if (this.threads[index] === thread) this.threads[index] = null;
      const err = new Error(`render thread stopped (exit code ${code}${failure ? `: ${failure.message}` : ''})`);
      for (const pending of thread.pending.values()) pending.reject(err);
      thread.pending.clear();
    });
    return thread;
  }
}

function startRenderThread(): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(join(__dirname, 'render-thread.js'));
  // Under Jest the sources are TypeScript: the thread compiles them with swc, as Jest does (never the case in dist/).
  const source = join(__dirname, 'render-thread.ts');
  const compile = `(code, filename) => require(${JSON.stringify(require.resolve('@swc/core'))}).transformSync(code, { filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code`;
  return new Worker(`require(${JSON.stringify(require.resolve('pirates'))}).addHook(${compile}, { exts: ['.ts'] }); require(${JSON.stringify(source)});`, { eval: true });
}
