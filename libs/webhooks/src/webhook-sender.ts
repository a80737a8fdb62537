import { Injectable, OnApplicationShutdown } from '@nestjs/common';
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
    const signal = AbortSignal.timeout(this.config.webhookTimeoutMs);
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
    }
  }

  /** After the worker's dispatcher has drained (beforeApplicationShutdown), so no send meets a closed agent. */
  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
}
