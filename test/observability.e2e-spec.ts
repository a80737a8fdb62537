import { networkInterfaces } from 'node:os';
import { ApiMetricsServer } from '../apps/api/src/health/api-metrics.server';
import { WorkerHttpServer } from '../apps/worker/src/worker-http.server';
import { STRIPE_WEBHOOK_SECRET, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** What an operator watches: health, Prometheus metrics and structured logs. */
describe('observability', () => {
  let stack: TestStack;
  const lines: string[] = [];
  const original = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    process.stdout.write = ((chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    }) as typeof process.stdout.write;
    stack = await TestStack.start({ env: { LOG_LEVEL: 'log' } });
  });

  afterAll(async () => {
    await stack?.stop();
    process.stdout.write = original;
  });

  it('reports liveness and readiness with PostgreSQL and Redis', async () => {
    expect((await stack.http('GET', '/health/live')).json).toEqual({ status: 'ok' });
    const ready = await stack.http('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up', connected: true } } });
    expect(ready.json.down).toBeUndefined();
  });

  it('serves /metrics only on the internal listener, bound to METRICS_HOST, never on the public port', async () => {
    const publicAnswer = await stack.http('GET', '/metrics');
    expect(publicAnswer.status).toBe(404);
    expect(publicAnswer.json.error.code).toBe('route_not_found');
    expect(publicAnswer.buffer.toString()).not.toMatch(/ca_|partner_id|endpoint_id/);
    const internal = stack.api.get(ApiMetricsServer);
    expect(internal.port).toBeGreaterThan(0);
    expect(internal.address?.address).toBe(stack.config.metricsHost);
    expect(stack.config.metricsHost).toBe('127.0.0.1');
    expect(internal.port).not.toBe(Number(new URL(stack.apiUrl).port));
    // Bound to the configured host (127.0.0.1 by default), not to every interface.
    const nets = Object.values(networkInterfaces()).flat().filter((n) => n && n.family === 'IPv4' && !n.internal);
    for (const n of nets) {
      await expect(fetch(`http://${n!.address}:${internal.port}/metrics`)).rejects.toThrow();
    }
    const res = await fetch(`http://127.0.0.1:${internal.port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^ca_process_resident_memory_bytes \d+/m);
    const worker = stack.worker!.get(WorkerHttpServer).port;
    for (const n of nets) await expect(fetch(`http://${n!.address}:${worker}/metrics`)).rejects.toThrow();
  });

  it('exposes Prometheus metrics: ingest outcomes, inbox lag, jobs by state, endpoint backlog', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'OBS' });
    await stack.createEndpoint(partner.api_keys.test);
    const checkout = await stack.createCheckout(partner.api_keys.test);
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const body = JSON.stringify({ id: 'evt_forged', type: 'checkout.session.completed' });
    await fetch(`${stack.apiUrl}/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': stack.emulator.signPayload(body, 'whsec_other') }, body });
    await waitFor('order.paid', () => stack.receiver.ofType('order.paid')[0]);
    const res = await fetch(`http://127.0.0.1:${stack.api.get(ApiMetricsServer).port}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/ca_stripe_events_received_total\{type="checkout.session.completed",outcome="stored"\} 1/);
    expect(text).toMatch(/ca_stripe_events_received_total\{type="unknown",outcome="rejected"\} 1/);
    expect(text).toMatch(/^ca_inbox_lag_seconds \d/m);
    expect(text).toMatch(/ca_jobs\{queue="deliveries",state="completed"\} \d+/);
    expect(text).toMatch(/ca_process_resident_memory_bytes \d+/);
    expect(STRIPE_WEBHOOK_SECRET).toBeDefined();
  });

  it('writes JSON log lines carrying the request id, never the Authorization header', async () => {
    const res = await stack.http('GET', '/v1/orders', { token: 'ca_test_bogus_key_for_the_log_test', headers: { 'x-request-id': 'req-observability-0001' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBe('req-observability-0001');
    const json = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = json.filter((l) => l.request_id === 'req-observability-0001');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]).toMatchObject({ app: 'api', method: 'GET', path: '/v1/orders', status: 401, msg: 'request completed' });
    expect(lines.join('\n')).not.toContain('ca_test_bogus_key_for_the_log_test');
  });

  it('serves the worker health and the metrics of the work it did, and logs job lines with the order id', async () => {
    const port = stack.worker!.get(WorkerHttpServer).port;
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', postgres: true, redis: true, queues: { deliveries: expect.any(Object), emails: expect.any(Object) } });
    await waitFor('the invoice email and invoice.issued', () => stack.smtp.messages.length >= 1 && stack.receiver.ofType('invoice.issued').length >= 1);
    // The SMTP server holds the email before the worker hears its 250 and counts it: wait for the counters too.
    const text = await waitFor('the delivery and email metrics', async () => {
      const t = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /ca_delivery_latency_seconds_count [1-9]/.test(t) && /ca_emails_total\{outcome="sent"\} [1-9]/.test(t) ? t : null;
    });
    expect(text).toMatch(/ca_stripe_events_processed_total\{type="[a-z_.]+",result="processed"\} [1-9]/);
    expect(text).toMatch(/ca_pdf_rendered_total [1-9]/);
    expect(text).toMatch(/ca_emails_total\{outcome="sent"\} [1-9]/);
    expect(text).toMatch(/ca_deliveries_total\{outcome="delivered"\} [1-9]/);
    expect(text).toMatch(/ca_delivery_latency_seconds_count [1-9]/);
    const [order] = await stack.sql<{ id: string }>(`SELECT id FROM orders WHERE status = 'paid' LIMIT 1`);
    const jobLines = lines.filter((l) => l.startsWith('{') && l.includes(order.id)).map((l) => JSON.parse(l));
    // (In this test the api and the worker share one process, hence one root logger: `app` is not checked.)
    expect(jobLines.some((l) => l.order_id === order.id && l.job === 'stripe-inbox' && l.stripe_event_id)).toBe(true);
  });
});
