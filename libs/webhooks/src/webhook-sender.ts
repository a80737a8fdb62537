import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { AppConfig } from '@app/config';
import { forbiddenLiteralHost, guardedLookup } from './ssrf-guard';

export interface SendResult {
  statusCode: number | null;
  durationMs: number;
  /** First KiB of the answer, for the partner's delivery log. */
  responseBody: string | null;
  /** The answer's `Retry-After`, in ms from now (seconds or an HTTP date). */
  retryAfterMs: number | null;
  /** The receiver answered `webhook-delivery: abort`: stop retrying this message. */
  abort: boolean;
  error: string | null;
}

const RESPONSE_EXCERPT_BYTES = 1024;

/** Seconds or an HTTP date, as RFC 9110 allows; anything else is ignored. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * POSTs signed bodies to partners over keep-alive connections; never follows
 * redirects. 5 s to connect, WEBHOOK_TIMEOUT_MS (15 s) for the whole attempt,
 * so a hanging partner costs a socket and a timer, never a worker slot.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly deadlines = new AttemptDeadlines();

  constructor(private readonly config: AppConfig) {
    this.agent = new Agent({
      connect: {
        timeout: Math.min(config.webhookConnectTimeoutMs, config.webhookTimeoutMs),
        // SSRF: the address actually connected to is checked, so DNS rebinding cannot slip past.
        ...(config.webhookAllowPrivateNetworks ? {} : { lookup: guardedLookup }),
      },
      headersTimeout: config.webhookTimeoutMs,
      bodyTimeout: config.webhookTimeoutMs,
      keepAliveTimeout: 30_000,
      // Above the per-endpoint in-flight bound, so that bound is what limits a partner.
      connections: 128,
    });
  }

  async post(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    // IP literals are connected to without a lookup, so they are checked here.
    const refused = this.config.webhookAllowPrivateNetworks ? null : forbiddenLiteralHost(new URL(url));
    if (refused) return { statusCode: null, durationMs: 0, responseBody: null, retryAfterMs: null, abort: false, error: refused };
    const deadline = this.deadlines.start(this.config.webhookTimeoutMs);
    const signal = deadline.controller!.signal;
    try {
      const res = await request(url, { method: 'POST', headers, body, dispatcher: this.agent, signal, maxRedirections: 0 } as Parameters<typeof request>[1]);
      const responseBody = await readExcerpt(res.body);
      return {
        statusCode: res.statusCode,
        durationMs: Math.round(performance.now() - started),
        responseBody,
        retryAfterMs: parseRetryAfter(res.headers['retry-after']),
        abort: String(res.headers['webhook-delivery'] ?? '').trim().toLowerCase() === 'abort',
        error: null,
      };
    } catch (err) {
      const e = err as Error & { code?: string };
      const error =
        e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT'
          ? `timeout after ${this.config.webhookTimeoutMs} ms`
          : e.code === 'UND_ERR_CONNECT_TIMEOUT'
            ? `connect timeout after ${this.config.webhookConnectTimeoutMs} ms`
            : `${e.code ?? e.name}: ${e.message}`;
      return { statusCode: null, durationMs: Math.round(performance.now() - started), responseBody: null, retryAfterMs: null, abort: false, error };
    } finally {
      this.deadlines.finish(deadline);
    }
  }

  /** After the worker's dispatcher has drained (beforeApplicationShutdown), so no send meets a closed agent. */
  async onApplicationShutdown(): Promise<void> {
    this.deadlines.stop();
    await this.agent.close();
  }
}

/**
 * The first RESPONSE_EXCERPT_BYTES of the answer; the rest is read and dropped so the connection can be reused.
 * Listeners rather than `for await`: the async iterator cost ~7 µs per attempt (a profiled bench:delivery), for an
 * answer that is nearly always one chunk.
 */
function readExcerpt(body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let first: Buffer | null = null;
    let more: Buffer[] | null = null;
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      if (size < RESPONSE_EXCERPT_BYTES) {
        if (first === null) first = chunk;
        else (more ??= [first]).push(chunk);
      }
      size += chunk.length;
    });
    body.on('error', reject);
    body.on('end', () => {
      const bytes = more ? Buffer.concat(more) : first;
      resolve(bytes ? bytes.subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8') : '');
    });
  });
}

interface AttemptDeadline {
  at: number;
  /** Null once the attempt finished: a slow head keeps its successors' entries, not their controllers. */
  controller: AbortController | null;
}

/**
 * The whole-attempt timeout of every send, on one timer rather than one `AbortSignal.timeout` each (its timer and
 * bookkeeping were ~10 µs per attempt in a profiled bench:delivery). Every attempt has the same timeout, so the
 * deadlines come in order: a FIFO whose head arms the timer. Finished attempts leave from the head as they finish
 * (sends mostly end in the order they started); the timer stays armed for a head that already left, and re-arms
 * for the next one when it fires, so it fires about once per timeout however many attempts pass.
 */
class AttemptDeadlines {
  private queue: AttemptDeadline[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;

  start(timeoutMs: number): AttemptDeadline {
    const deadline: AttemptDeadline = { at: performance.now() + timeoutMs, controller: new AbortController() };
    this.queue.push(deadline);
    if (!this.timer) this.arm(deadline.at);
    return deadline;
  }

  finish(deadline: AttemptDeadline): void {
    deadline.controller = null;
    this.dropFinished();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(at: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(0, Math.ceil(at - performance.now())));
    // A pending deadline must not keep the process alive on its own: the send it bounds does.
    this.timer.unref();
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.queue.length && this.queue[this.head].at <= now) {
      const controller = this.queue[this.head].controller;
      this.queue[this.head].controller = null;
      controller?.abort(new DOMException('The attempt timed out', 'TimeoutError'));
      this.head++;
    }
    this.dropFinished();
    if (this.head < this.queue.length) this.arm(this.queue[this.head].at);
  }

  private dropFinished(): void {
    while (this.head < this.queue.length && this.queue[this.head].controller === null) this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
