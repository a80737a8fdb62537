import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent } from 'undici';
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

/** Where a URL's requests go, parsed once per URL rather than per attempt; `refused`: the SSRF guard's verdict on an IP literal. */
interface Target {
  origin: string;
  path: string;
  refused: string | null;
}

/** URLs whose parse is kept: past it the cache starts again (a worker serves its partners' endpoints). */
const MAX_TARGETS = 10_000;

/**
 * POSTs signed bodies to partners over keep-alive connections; never follows
 * redirects. 5 s to connect, WEBHOOK_TIMEOUT_MS (15 s) for the whole attempt,
 * so a hanging partner costs a socket and a timer, never a worker slot.
 *
 * Sends go through undici's dispatcher interface with a handler of our own (AttemptHandler) rather than `request()`:
 * `request()` builds, per attempt, an AsyncResource, a Readable for the answer, a parsed copy of every header and an
 * AbortSignal listener, none of which an attempt needs (its status, two headers and the first KiB of the answer).
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly deadlines = new AttemptDeadlines();
  private readonly targets = new Map<string, Target>();

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

  /** `body` may be the bytes already encoded (see DeliveryService.send): they are sent as they are. */
  post(url: string, headers: Record<string, string>, body: string | Buffer): Promise<SendResult> {
    const started = performance.now();
    let target: Target;
    try {
      target = this.targetOf(url);
    } catch (err) {
      return Promise.resolve(failed(0, `${(err as Error).name}: ${(err as Error).message}`));
    }
    // IP literals are connected to without a lookup, so they are checked here.
    if (target.refused) return Promise.resolve(failed(0, target.refused));
    return new Promise<SendResult>((resolve) => {
      const handler = new AttemptHandler(started, this.config, (result) => {
        this.deadlines.finish(deadline);
        resolve(result);
      });
      const deadline = this.deadlines.start(this.config.webhookTimeoutMs, handler);
      try {
        this.agent.dispatch({ origin: target.origin, path: target.path, method: 'POST', headers, body }, handler);
      } catch (err) {
        handler.onError(err as Error);
      }
    });
  }

  private targetOf(url: string): Target {
    let target = this.targets.get(url);
    if (target) return target;
    const parsed = new URL(url);
    target = {
      origin: parsed.origin,
      path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname,
      refused: this.config.webhookAllowPrivateNetworks ? null : forbiddenLiteralHost(parsed),
    };
    if (this.targets.size >= MAX_TARGETS) this.targets.clear();
    this.targets.set(url, target);
    return target;
  }

  /** After the worker's dispatcher has drained (beforeApplicationShutdown), so no send meets a closed agent. */
  async onApplicationShutdown(): Promise<void> {
    this.deadlines.stop();
    await this.agent.close();
  }
}

function failed(durationMs: number, error: string): SendResult {
  return { statusCode: null, durationMs, responseBody: null, retryAfterMs: null, abort: false, error };
}

/**
 * The answer's first RESPONSE_EXCERPT_BYTES as text for the partner's delivery log. A NUL becomes U+FFFD: PostgreSQL's
 * text cannot hold one, and a partner answering with one made its attempt unrecordable, so the delivery was sent
 * again and again with the same webhook-id.
 */
function excerptOf(bytes: Buffer): string {
  const text = bytes.subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

const RETRY_AFTER = 'retry-after';
const WEBHOOK_DELIVERY = 'webhook-delivery';

/** The value of header `name` (lower case) among undici's raw [name, value, name, value, …] buffers, first one wins. */
function rawHeader(raw: Buffer[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === name.length && raw[i].toString('latin1').toLowerCase() === name) return raw[i + 1].toString('latin1');
  }
  return undefined;
}

/**
 * One attempt, as undici's dispatcher reports it: the status and two headers, the first RESPONSE_EXCERPT_BYTES of the
 * answer (the rest is read and dropped, so the connection can be reused), or the error. Settles exactly once.
 */
class AttemptHandler {
  private abortSend: ((reason: Error) => void) | null = null;
  /** Set when the deadline passed before undici started the request: it is aborted as soon as it does. */
  private timedOut: Error | null = null;
  private statusCode = 0;
  private headers: Buffer[] = [];
  private first: Buffer | null = null;
  private more: Buffer[] | null = null;
  private size = 0;
  private settled = false;

  constructor(
    private readonly started: number,
    private readonly config: AppConfig,
    private readonly done: (result: SendResult) => void,
  ) {}

  /** The attempt's deadline passed (AttemptDeadlines). */
  timeout(): void {
    const reason = new DOMException('The attempt timed out', 'TimeoutError') as unknown as Error;
    if (this.abortSend) this.abortSend(reason);
    else this.timedOut = reason;
  }

  onConnect(abort: (reason: Error) => void): void {
    if (this.timedOut) return abort(this.timedOut);
    this.abortSend = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    // 1xx answers are informational: the final one follows.
    if (statusCode < 200) return true;
    this.statusCode = statusCode;
    this.headers = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.size < RESPONSE_EXCERPT_BYTES) {
      if (this.first === null) this.first = chunk;
      else (this.more ??= [this.first]).push(chunk);
    }
    this.size += chunk.length;
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    const bytes = this.more ? Buffer.concat(this.more) : this.first;
    this.done({
      statusCode: this.statusCode,
      durationMs: Math.round(performance.now() - this.started),
      responseBody: bytes ? excerptOf(bytes) : '',
      retryAfterMs: parseRetryAfter(rawHeader(this.headers, RETRY_AFTER)),
      abort: (rawHeader(this.headers, WEBHOOK_DELIVERY) ?? '').trim().toLowerCase() === 'abort',
      error: null,
    });
  }

  onError(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    const e = err as Error & { code?: string };
    const error =
      e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT'
        ? `timeout after ${this.config.webhookTimeoutMs} ms`
        : e.code === 'UND_ERR_CONNECT_TIMEOUT'
          ? `connect timeout after ${this.config.webhookConnectTimeoutMs} ms`
          : `${e.code ?? e.name}: ${e.message}`;
    this.done(failed(Math.round(performance.now() - this.started), error));
  }
}

interface AttemptDeadline {
  at: number;
  /** Null once the attempt finished: a slow head keeps its successors' entries, not their handlers. */
  attempt: AttemptHandler | null;
}

/**
 * The whole-attempt timeout of every send, on one timer rather than one `AbortSignal.timeout` each (its timer and
 * bookkeeping were ~10 µs per attempt in a profiled bench:delivery), and aborting through undici's own abort callback
 * rather than an AbortController per attempt (~8 µs more). Every attempt has the same timeout, so the
 * deadlines come in order: a FIFO whose head arms the timer. Finished attempts leave from the head as they finish
 * (sends mostly end in the order they started); the timer stays armed for a head that already left, and re-arms
 * for the next one when it fires, so it fires about once per timeout however many attempts pass.
 */
class AttemptDeadlines {
  private queue: AttemptDeadline[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;

  start(timeoutMs: number, attempt: AttemptHandler): AttemptDeadline {
    const deadline: AttemptDeadline = { at: performance.now() + timeoutMs, attempt };
    this.queue.push(deadline);
    if (!this.timer) this.arm(deadline.at);
    return deadline;
  }

  finish(deadline: AttemptDeadline): void {
    deadline.attempt = null;
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
      const attempt = this.queue[this.head].attempt;
      this.queue[this.head].attempt = null;
      attempt?.timeout();
      this.head++;
    }
    this.dropFinished();
    if (this.head < this.queue.length) this.arm(this.queue[this.head].at);
  }

  private dropFinished(): void {
    while (this.head < this.queue.length && this.queue[this.head].attempt === null) this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
