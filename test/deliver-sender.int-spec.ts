import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '@app/config';
import { WebhookSender } from '@app/webhooks';

/**
 * What a partner sees in its delivery log comes from WebhookSender's own undici handler: the status, the first KiB of
 * the answer, Retry-After and `webhook-delivery: abort` however the header is spelt, and the timeout as an error.
 */
describe('WebhookSender', () => {
  let server: Server;
  let base: string;
  let answer: (req: IncomingMessage, res: ServerResponse) => void;
  const config = { webhookConnectTimeoutMs: 5_000, webhookTimeoutMs: 400, webhookAllowPrivateNetworks: true } as AppConfig;
  let sender: WebhookSender;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => answer(req, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sender = new WebhookSender(config);
  });

  afterAll(async () => {
    await sender.onApplicationShutdown();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('keeps the first KiB of a long answer sent in pieces, and reads the rest so the next send goes through', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // 5 KB in five writes, the first one short: the excerpt spans chunks.
      res.write('é'.repeat(100));
      for (let i = 0; i < 4; i++) res.write('x'.repeat(1200));
      res.end();
    };
    const first = await sender.post(`${base}/hook`, { 'content-type': 'application/json' }, Buffer.from('{"a":1}'));
    expect(first).toMatchObject({ statusCode: 200, error: null, retryAfterMs: null, abort: false });
    expect(first.responseBody).toBe('é'.repeat(100) + 'x'.repeat(1024 - 200));
    const second = await sender.post(`${base}/hook`, { 'content-type': 'application/json' }, '{"a":2}');
    expect(second.statusCode).toBe(200);
  });

  it('reads Retry-After and webhook-delivery: abort whatever their case', async () => {
    answer = (_req, res) => {
      res.writeHead(503, { 'Retry-After': '120', 'Webhook-Delivery': ' Abort ' });
      res.end('busy');
    };
    const result = await sender.post(`${base}/hook`, {}, '{}');
    expect(result).toMatchObject({ statusCode: 503, responseBody: 'busy', retryAfterMs: 120_000, abort: true, error: null });
  });

  it('records a partner that never answers as a timeout once the attempt timeout has passed', async () => {
    answer = () => undefined;
    const result = await sender.post(`${base}/hang`, {}, '{}');
    expect(result).toMatchObject({ statusCode: null, responseBody: null, error: `timeout after ${config.webhookTimeoutMs} ms` });
    expect(result.durationMs).toBeGreaterThanOrEqual(config.webhookTimeoutMs - 5);
  });

  it('records a refused connection as an error, not a crash', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const result = await sender.post(`http://127.0.0.1:${port}/hook`, {}, '{}');
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/^ECONNREFUSED/);
  });
});
