import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import Stripe from 'stripe';
import { TestStack, STRIPE_WEBHOOK_SECRET } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Stripe's side: only signed events get in, each is processed once whatever the order Stripe sends them in. */
describe('Stripe ingest', () => {
  let stack: TestStack;
  let partner: { id: string; api_keys: { test: string; live: string } };

  beforeAll(async () => {
    stack = await TestStack.start();
    partner = await stack.createPartner({ invoice_prefix: 'ING' });
    await stack.createEndpoint(partner.api_keys.test);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  afterEach(() => stack.emulator.setAutoSend(true));

  const storedEvents = async () => (await stack.sql<{ n: number }>('SELECT count(*)::int AS n FROM stripe_events'))[0].n;

  async function postRaw(body: string, signature?: string) {
    const res = await fetch(`${stack.apiUrl}/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
      body,
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  it('refuses forged, stale and missing signatures and stores nothing', async () => {
    const before = await storedEvents();
    const event = stack.emulator.buildEvent('checkout.session.completed', { object: 'checkout.session', id: 'cs_test_forged', metadata: {} }, false);
    const body = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);

    const forged = await postRaw(body, stack.emulator.signPayload(body, 'whsec_not_ours', now));
    const stale = await postRaw(body, stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET, now - 301));
    const missing = await postRaw(body);
    const tampered = await postRaw(body.replace('cs_test_forged', 'cs_test_f0rged'), stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET, now));
    for (const res of [forged, stale, missing, tampered]) {
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_stripe_signature');
    }
    expect(await storedEvents()).toBe(before);

    const good = await postRaw(body, stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET, now));
    expect(good.status).toBe(200);
    expect(await storedEvents()).toBe(before + 1);
  });

  it('answers 413 to a body over 1 MiB and stores nothing', async () => {
    const before = await storedEvents();
    const body = JSON.stringify({ id: 'evt_big', padding: 'x'.repeat(1024 * 1024) });
    const res = await postRaw(body, stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET));
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('payload_too_large');
    expect(await storedEvents()).toBe(before);
  });

  it('answers like every route: request id, catalogue errors, 415 for another media type, duplicate said', async () => {
    const event = stack.emulator.buildEvent('checkout.session.completed', { object: 'checkout.session', id: 'cs_test_answers', metadata: {} }, false);
    const body = JSON.stringify(event);
    const signature = stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET);
    const send = (contentType: string, payload: string, sig?: string) =>
      fetch(`${stack.apiUrl}/stripe/webhook`, { method: 'POST', headers: { 'content-type': contentType, ...(sig ? { 'stripe-signature': sig } : {}), 'x-request-id': 'req_ingest_answers_1' }, body: payload });

    const first = await send('application/json', body, signature);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.headers.get('x-request-id')).toBe('req_ingest_answers_1');
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    expect(await (await send('application/json', body, signature)).json()).toEqual({ received: true, duplicate: true });

    const refused = await send('application/json', body, signature.replace(/v1=./, 'v1=x'));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: { code: 'invalid_stripe_signature', message: expect.any(String), request_id: 'req_ingest_answers_1' } });
    const form = await send('application/x-www-form-urlencoded', 'a=1', signature);
    expect(form.status).toBe(415);
    expect(((await form.json()) as any).error.code).toBe('unsupported_media_type');
    const empty = await send('application/json', '', signature);
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as any).error.code).toBe('invalid_json');
  });

  it('commits the exact bytes Stripe signed and tells the worker once committed, only when something new was stored', async () => {
    const listener = new Client({ connectionString: stack.config.databaseUrl });
    await listener.connect();
    let notifications = 0;
    listener.on('notification', (n) => {
      if (n.channel === 'stripe_inbox') notifications++;
    });
    await listener.query('LISTEN stripe_inbox');
    try {
      // Pretty-printed, with accents: stored as received, not re-serialised nor re-encoded.
      const event = stack.emulator.buildEvent('checkout.session.completed', { object: 'checkout.session', id: 'cs_test_bytes', metadata: {}, customer_details: { name: 'Zoë Lefèvre' } }, false);
      const body = JSON.stringify(event, null, 2);
      expect((await postRaw(body, stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET))).json).toEqual({ received: true, duplicate: false });
      const [row] = await stack.sql<{ payload: string }>('SELECT payload::text AS payload FROM stripe_events WHERE id = $1', [event.id]);
      expect(row.payload).toBe(body);
      await waitFor('the notification of the new event', () => notifications === 1);

      // A replay stores nothing and wakes nobody: the next new event is the only other notification.
      expect((await postRaw(body, stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET))).json).toEqual({ received: true, duplicate: true });
      const next = JSON.stringify(stack.emulator.buildEvent('checkout.session.completed', { object: 'checkout.session', id: 'cs_test_bytes_2', metadata: {} }, false));
      expect((await postRaw(next, stack.emulator.signPayload(next, STRIPE_WEBHOOK_SECRET))).status).toBe(200);
      await waitFor('the notification of the next event', () => notifications >= 2);
      expect(notifications).toBe(2);
    } finally {
      await listener.end();
    }
  });

  it('refuses a signed body that is not UTF-8 and stores nothing', async () => {
    const before = await storedEvents();
    const event = stack.emulator.buildEvent('checkout.session.completed', { object: 'checkout.session', id: 'cs_test_latin1', metadata: {} }, false);
    // "café" in Latin-1: valid JSON once decoded with replacement characters, but not the bytes Stripe sends.
    const bytes = Buffer.from(JSON.stringify({ ...event, note: 'café' }), 'latin1');
    const t = Math.floor(Date.now() / 1000);
    const signature = `t=${t},v1=${createHmac('sha256', STRIPE_WEBHOOK_SECRET).update(`${t}.`).update(bytes).digest('hex')}`;
    const res = await fetch(`${stack.apiUrl}/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: bytes });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('invalid_json');
    expect(await storedEvents()).toBe(before);
  });

  async function outcome(orderId: string) {
    const [counts] = await stack.sql<{ invoices: number; messages: number; status: string }>(
      `SELECT (SELECT count(*)::int FROM invoices WHERE order_id = $1) AS invoices,
              (SELECT count(*)::int FROM messages WHERE order_id = $1 AND type = 'order.paid') AS messages,
              (SELECT status FROM orders WHERE id = $1) AS status`,
      [orderId],
    );
    return counts;
  }

  const emailsFor = (orderNumber: string) => stack.smtp.messages.filter((m) => m.subject?.includes(orderNumber));

  it('processes the same event delivered five times exactly once', async () => {
    const checkout = await stack.createCheckout(partner.api_keys.test);
    stack.emulator.setAutoSend(false);
    const events = await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const completed = events.find((e) => e.type === 'checkout.session.completed')!;
    const answers = await Promise.all(Array.from({ length: 5 }, () => stack.emulator.sendEvent(completed.id)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => JSON.parse(a.body).duplicate === false)).toHaveLength(1);

    const [{ number }] = await waitFor('the invoice', () => stack.sql<{ number: string }>('SELECT number FROM invoices WHERE order_id = $1 AND emailed_at IS NOT NULL', [checkout.order_id]));
    await waitFor('order.paid at the partner', () => stack.receiver.ofType('order.paid').find((r) => JSON.parse(r.body).data.id === checkout.order_id));
    // Late replays after processing change nothing either.
    await stack.emulator.sendEvent(completed.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(await outcome(checkout.order_id)).toEqual({ invoices: 1, messages: 1, status: 'paid' });
    expect(emailsFor(number)).toHaveLength(1);
    expect(stack.receiver.ofType('order.paid').filter((r) => JSON.parse(r.body).data.id === checkout.order_id)).toHaveLength(1);
  });

  it('pays a delayed-payment order when async success arrives before the completed event', async () => {
    const checkout = await stack.createCheckout(partner.api_keys.test);
    stack.emulator.setAutoSend(false);
    const completedUnpaid = await stack.emulator.completeCheckoutSession(checkout.checkout_session_id, { paymentStatus: 'unpaid', paymentMethodType: 'sepa_debit' });
    const succeeded = await stack.emulator.asyncPaymentSucceeded(checkout.checkout_session_id);
    for (const e of [...succeeded, ...completedUnpaid]) await stack.emulator.sendEvent(e.id);

    const [{ number }] = await waitFor('the emailed invoice', () => stack.sql<{ number: string }>('SELECT number FROM invoices WHERE order_id = $1 AND emailed_at IS NOT NULL', [checkout.order_id]));
    await waitFor('all events processed', async () => (await stack.sql(`SELECT 1 FROM stripe_events WHERE status = 'received'`)).length === 0);
    expect(await outcome(checkout.order_id)).toEqual({ invoices: 1, messages: 1, status: 'paid' });
    expect(emailsFor(number)).toHaveLength(1);
    const [order] = await stack.sql<{ payment_method_type: string }>('SELECT payment_method_type FROM orders WHERE id = $1', [checkout.order_id]);
    expect(order.payment_method_type).toBe('sepa_debit');
  });

  it('keeps an order paid when a payment failure arrives after it', async () => {
    const checkout = await stack.createCheckout(partner.api_keys.test);
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    await waitFor('paid', async () => (await outcome(checkout.order_id)).status === 'paid');
    const [failure] = await stack.emulator.failCheckoutPayment(checkout.checkout_session_id, { declineCode: 'insufficient_funds' }).catch(() => [null]);
    if (failure) await waitFor('the failure processed', async () => (await stack.sql(`SELECT status FROM stripe_events WHERE id = $1 AND status <> 'received'`, [failure.id])).length === 1);
    // Even a forged-in-time failure for that order (sent as Stripe would) cannot undo the payment.
    const [order] = await stack.sql<{ payment_intent_id: string }>('SELECT payment_intent_id FROM orders WHERE id = $1', [checkout.order_id]);
    const late = stack.emulator.buildEvent('payment_intent.payment_failed', {
      id: order.payment_intent_id, object: 'payment_intent', metadata: { partner_id: partner.id, order_id: checkout.order_id },
      last_payment_error: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', type: 'card_error' },
    }, false);
    await stack.emulator.sendEvent(late.id);
    await waitFor('the late failure processed', async () => (await stack.sql(`SELECT 1 FROM stripe_events WHERE id = $1 AND status = 'ignored'`, [late.id])).length === 1);
    expect(await outcome(checkout.order_id)).toEqual({ invoices: 1, messages: 1, status: 'paid' });
    expect(stack.receiver.ofType('order.payment_failed').filter((r) => JSON.parse(r.body).data.id === checkout.order_id)).toHaveLength(0);
  });

  it('fails, then expires, an unpaid order and tells the partner each time', async () => {
    const checkout = await stack.createCheckout(partner.api_keys.test);
    await stack.emulator.failCheckoutPayment(checkout.checkout_session_id, { declineCode: 'insufficient_funds' });
    const failed = await waitFor('order.payment_failed', () => stack.receiver.ofType('order.payment_failed').find((r) => JSON.parse(r.body).data.id === checkout.order_id));
    expect(JSON.parse(failed.body).data).toMatchObject({ status: 'failed', reason: 'insufficient_funds' });
    await stack.emulator.expireCheckoutSession(checkout.checkout_session_id);
    const expired = await waitFor('order.expired', () => stack.receiver.ofType('order.expired').find((r) => JSON.parse(r.body).data.id === checkout.order_id));
    expect(JSON.parse(expired.body).data.status).toBe('expired');
    expect((await outcome(checkout.order_id)).invoices).toBe(0);
  });

  it('creates the order for a session made outside the API, with its lines from Stripe', async () => {
    const stripe = new Stripe('sk_test_emulator', { host: '127.0.0.1', port: stack.emulator.port, protocol: 'http' });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://shop.example.test/ok',
      customer_email: 'direct@example.test',
      metadata: { partner_id: partner.id },
      line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 2500, product_data: { name: 'Carte cadeau' } } }],
    });
    await stack.emulator.completeCheckoutSession(session.id);
    const [order] = await waitFor('the order', () => stack.sql<{ id: string; status: string; amount_total: string; line_items: { name: string }[] }>(
      'SELECT id, status, amount_total, line_items FROM orders WHERE checkout_session_id = $1 AND status = $2', [session.id, 'paid']));
    expect(Number(order.amount_total)).toBe(2500);
    expect(order.line_items).toEqual([expect.objectContaining({ name: 'Carte cadeau', quantity: 1, unit_amount: 2500, vat_rate: 20 })]);
    await waitFor('its invoice emailed', () => stack.smtp.messages.find((m) => m.to && JSON.stringify(m.to).includes('direct@example.test')));
  });

  it('keeps an event with no known partner as unrouted and lists it for operators', async () => {
    const event = stack.emulator.buildEvent('checkout.session.completed', { object: 'checkout.session', id: 'cs_test_orphan', metadata: { partner_id: 'par_unknown' }, payment_status: 'paid' }, false);
    await stack.emulator.sendEvent(event.id);
    const listed = await waitFor('the unrouted event', async () => {
      const res = await stack.http('GET', '/admin/events?status=unrouted', { token: 'test-admin-token-0123456789' });
      return res.json.data.find((e: { id: string }) => e.id === event.id);
    });
    expect(listed).toMatchObject({ status: 'unrouted', detail: 'unknown partner par_unknown' });
  });
});
