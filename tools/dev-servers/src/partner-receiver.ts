import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
  /** The request path, so one receiver can stand for several endpoint URLs. */
  path?: string;
}

/** How to answer one request: a status with optional headers, or never (the request hangs until the sender gives up). */
export type ReceiverReply = number | { status: number; headers?: Record<string, string>; delayMs?: number; body?: string } | 'hang';

/**
 * A partner's webhook endpoint over real HTTP. It answers each request with
 * the next scripted status (then whatever the handler says, else 200), and
 * keeps what it received.
 */
export class PartnerReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly script: ReceiverReply[] = [];
  private handler?: (request: ReceivedWebhook) => ReceiverReply;
  private server?: Server;

  /** The next requests get these statuses, in order. */
  respondWith(...statuses: ReceiverReply[]): void {
    this.script.push(...statuses);
  }

  /** Decides the answer to every request the script does not cover (unset: 200). */
  setHandler(handler: ((request: ReceivedWebhook) => ReceiverReply) | undefined): void {
    this.handler = handler;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now(), path: req.url };
        this.received.push(received);
        const reply = this.script.shift() ?? this.handler?.(received) ?? 200;
        if (reply === 'hang') return;
        const { status, headers, delayMs, body } = typeof reply === 'number' ? { status: reply, headers: {}, delayMs: 0, body: undefined } : reply;
        const answer = () => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(body ?? JSON.stringify({ ok: status < 300 }));
        };
        if (delayMs) setTimeout(answer, delayMs);
        else answer();
      });
    });
    // Many senders keep connections open; the default backlog drops some under bursts.
    this.server.maxConnections = 10_000;
    await new Promise<void>((resolve) => this.server!.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks`;
  }

  ofType(type: string): ReceivedWebhook[] {
    return this.received.filter((r) => JSON.parse(r.body).type === type);
  }

  /** Distinct webhook-ids received: what a receiver that dedupes on webhook-id keeps. */
  uniqueIds(): Set<string> {
    return new Set(this.received.map((r) => String(r.headers['webhook-id'])));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
