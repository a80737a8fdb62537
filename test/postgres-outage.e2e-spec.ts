import { createServer, Server, Socket, connect } from 'node:net';
import { TcpProxy } from './support/tcp-proxy';
import { STRIPE_WEBHOOK_SECRET, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Without PostgreSQL the ingest cannot make an event durable, so it must not say it did: Stripe gets a 503 and retries. */
describe('PostgreSQL outage at the ingest', () => {
  const proxy = new TcpProxy(5432);
  let stack: TestStack;

  beforeAll(async () => {
    await proxy.start();
    stack = await TestStack.start({
      worker: false,
      mapDatabaseUrl: (url) => url.replace('127.0.0.1:5432', `127.0.0.1:${proxy.port}`),
    });
  });

  afterAll(async () => {
    await proxy.start();
    await stack?.stop();
    await proxy.stop();
  });

  function signedEvent(id: string) {
    const event = stack.emulator.buildEvent('checkout.session.completed', { object: 'checkout.session', id: `cs_test_${id}`, metadata: {} }, false);
    const body = JSON.stringify({ ...event, id });
    return { body, signature: stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET) };
  }

  async function post(id: string) {
    const { body, signature } = signedEvent(id);
    const res = await fetch(`${stack.apiUrl}/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });
    return { status: res.status, json: (await res.json()) as { error?: { code: string; request_id: string } } };
  }

  it('answers 503 while the database is unreachable, and stores the event once it is back', async () => {
    expect((await post('evt_before_outage')).status).toBe(200);
    await proxy.stop();
    const during = await post('evt_during_outage');
    expect(during.status).toBe(503);
    expect(during.json.error).toMatchObject({ code: 'database_unavailable' });
    expect(during.json.error!.request_id).toMatch(/^req_/);

    await proxy.start();
    // Stripe retries the same event; this time it is committed.
    let retried = await post('evt_during_outage');
    for (let i = 0; i < 20 && retried.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      retried = await post('evt_during_outage');
    }
    expect(retried.status).toBe(200);
    const rows = await stack.sql<{ id: string }>(`SELECT id FROM stripe_events ORDER BY received_at`);
    expect(rows.map((r) => r.id)).toEqual(['evt_before_outage', 'evt_during_outage']);
  });
});

/**
 * A proxy that can hold what the service sends to PostgreSQL and then reset the connections with a TCP RST:
 * what the service sees when PostgreSQL restarts under an in-flight query (ECONNRESET).
 */
class ResettingProxy {
  private server?: Server;
  private readonly clients = new Set<Socket>();
  private holding = false;
  heldChunks = 0;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(5432, '127.0.0.1');
      this.clients.add(client);
      client.on('close', () => this.clients.delete(client));
      for (const s of [client, upstream]) s.on('error', () => s.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('data', (chunk) => (this.holding ? this.heldChunks++ : upstream.write(chunk)));
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as { port: number }).port;
  }

  hold(): void {
    this.holding = true;
  }

  /** Every connection the service holds is reset; new ones go through again. */
  reset(): void {
    for (const c of this.clients) c.resetAndDestroy();
    this.holding = false;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('PostgreSQL connection reset under an in-flight ingest', () => {
  const proxy = new ResettingProxy();
  let stack: TestStack;

  beforeAll(async () => {
    await proxy.start();
    stack = await TestStack.start({ worker: false, mapDatabaseUrl: (url) => url.replace('127.0.0.1:5432', `127.0.0.1:${proxy.port}`) });
  });

  afterAll(async () => {
    await stack?.stop();
    await proxy.stop();
  });

  async function post(id: string) {
    const event = stack.emulator.buildEvent('checkout.session.completed', { object: 'checkout.session', id: `cs_test_${id}`, metadata: {} }, false);
    const body = JSON.stringify({ ...event, id });
    const res = await fetch(`${stack.apiUrl}/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET) }, body });
    return { status: res.status, json: (await res.json()) as { error?: { code: string } } };
  }

  it('answers 503 database_unavailable (not 500) to ECONNRESET, so Stripe retries, and stores the retry', async () => {
    expect((await post('evt_before_reset')).status).toBe(200);
    proxy.hold();
    const during = post('evt_during_reset');
    await waitFor('the insert to reach the proxy', () => proxy.heldChunks > 0);
    proxy.reset();
    expect(await during).toMatchObject({ status: 503, json: { error: { code: 'database_unavailable' } } });

    const retried = await waitFor('the retry committed', async () => ((await post('evt_during_reset')).status === 200 ? true : null));
    expect(retried).toBe(true);
    expect((await stack.sql<{ id: string }>('SELECT id FROM stripe_events ORDER BY received_at')).map((r) => r.id)).toEqual(['evt_before_reset', 'evt_during_reset']);
  });
});
