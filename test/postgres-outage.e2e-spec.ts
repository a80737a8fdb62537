import { TcpProxy } from './support/tcp-proxy';
import { STRIPE_WEBHOOK_SECRET, TestStack } from './support/test-stack';

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
