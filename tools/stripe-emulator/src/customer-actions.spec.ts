import Stripe from 'stripe';
import { EventsBody, SECRET, TEST_KEY, WebhookReceiver, paymentSession, sdk, useEmulator } from './emulator-test-kit.spec-helper';
import { StripeEmulator } from './index';

describe('StripeEmulator customer actions and webhooks', () => {
  const harness = useEmulator();
  let emulator: StripeEmulator;
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  beforeAll(() => ({ emulator, receiver, stripe } = harness));

  describe('the customer’s side and webhooks', () => {
    it('pays a session: payment_intent.succeeded then checkout.session.completed, both verifiable', async () => {
      const session = await stripe.checkout.sessions.create(paymentSession({ customer_email: 'payer@example.com' }));

      const events = await emulator.completeCheckoutSession(session.id);

      expect(receiver.rejections).toEqual([]);
      expect(receiver.types()).toEqual(['payment_intent.succeeded', 'checkout.session.completed']);
      expect(receiver.received.map((e) => e.id)).toEqual(events.map((e) => e.id));
      const [succeeded, completed] = receiver.received;
      expect(completed).toMatchObject({
        object: 'event',
        api_version: Stripe.API_VERSION,
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
      });
      expect(completed.id).toMatch(/^evt_/);
      const completedSession = completed.data.object as Stripe.Checkout.Session;
      const intent = succeeded.data.object as Stripe.PaymentIntent;
      expect(completedSession).toMatchObject({
        id: session.id,
        status: 'complete',
        payment_status: 'paid',
        payment_intent: intent.id,
        customer_details: { email: 'payer@example.com' },
        url: null,
      });
      expect(intent).toMatchObject({
        object: 'payment_intent',
        status: 'succeeded',
        amount: 3250,
        amount_received: 3250,
        currency: 'eur',
        metadata: { order_id: 'ord_123', partner_id: 'par_9' },
        payment_method_types: ['card'],
      });
      expect(intent.id).toMatch(/^pi_/);
      expect(intent.payment_method).toMatch(/^pm_/);
      await expect(stripe.paymentIntents.retrieve(intent.id)).resolves.toMatchObject({ status: 'succeeded' });
      await expect(stripe.checkout.sessions.retrieve(session.id)).resolves.toMatchObject({
        status: 'complete',
        payment_intent: intent.id,
      });
      expect(emulator.events().slice(-2).map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(emulator.deliveries().slice(-2).map((d) => d.status)).toEqual([200, 200]);
      expect(receiver.headers[0]['user-agent']).toBe('Stripe/1.0 (+https://stripe.com/docs/webhooks)');
    });

    it('completes a delayed payment unpaid, then settles it', async () => {
      const session = await stripe.checkout.sessions.create(paymentSession());

      await emulator.completeCheckoutSession(session.id, { paymentStatus: 'unpaid', paymentMethodType: 'sepa_debit' });
      const pending = receiver.received[0].data.object as Stripe.Checkout.Session;
      const processing = await stripe.paymentIntents.retrieve(pending.payment_intent as string);
      await emulator.asyncPaymentSucceeded(session.id);

      expect(receiver.types()).toEqual([
        'checkout.session.completed',
        'payment_intent.succeeded',
        'checkout.session.async_payment_succeeded',
      ]);
      expect(pending).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
      expect(processing).toMatchObject({ status: 'processing', payment_method_types: ['sepa_debit'] });
      expect(receiver.received[2].data.object).toMatchObject({ payment_status: 'paid' });
      await expect(stripe.paymentIntents.retrieve(processing.id)).resolves.toMatchObject({ status: 'succeeded' });
    });

    it('reports a bounced delayed payment with its error', async () => {
      const session = await stripe.checkout.sessions.create(paymentSession());
      await emulator.completeCheckoutSession(session.id, { paymentStatus: 'unpaid' });
      receiver.clear();

      await emulator.asyncPaymentFailed(session.id);

      expect(receiver.types()).toEqual(['payment_intent.payment_failed', 'checkout.session.async_payment_failed']);
      const intent = receiver.received[0].data.object as Stripe.PaymentIntent;
      expect(intent.status).toBe('requires_payment_method');
      expect(intent.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' });
      expect(receiver.received[1].data.object).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
      await expect(emulator.asyncPaymentSucceeded(session.id)).rejects.toThrow('no delayed payment awaiting');
    });

    it('declines a card attempt, keeps the session open, and lets the retry reuse the PaymentIntent', async () => {
      const session = await stripe.checkout.sessions.create(paymentSession());

      await emulator.failCheckoutPayment(session.id, { declineCode: 'insufficient_funds' });
      const afterDecline = await stripe.checkout.sessions.retrieve(session.id);
      await emulator.completeCheckoutSession(session.id);

      expect(receiver.types()).toEqual(['payment_intent.payment_failed', 'payment_intent.succeeded', 'checkout.session.completed']);
      const failed = receiver.received[0].data.object as Stripe.PaymentIntent;
      expect(failed.last_payment_error).toMatchObject({
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      });
      expect(afterDecline.status).toBe('open');
      expect(afterDecline.payment_status).toBe('unpaid');
      expect(receiver.received[1].data.object).toMatchObject({ id: failed.id, status: 'succeeded', last_payment_error: null });
    });

    it('expires a session from the customer side', async () => {
      const session = await stripe.checkout.sessions.create(paymentSession());

      await emulator.expireCheckoutSession(session.id);

      expect(receiver.types()).toEqual(['checkout.session.expired']);
      expect(receiver.received[0].data.object).toMatchObject({ id: session.id, status: 'expired' });
      await expect(emulator.completeCheckoutSession(session.id)).rejects.toThrow('its status is expired');
    });

    it('resends an event freshly signed, and lets a test play stale or forged deliveries', async () => {
      const session = await stripe.checkout.sessions.create(paymentSession());
      const [, completed] = await emulator.completeCheckoutSession(session.id);
      receiver.clear();

      const resent = await emulator.sendEvent(completed.id);
      const stale = await emulator.sendEvent(completed.id, { timestamp: Math.floor(Date.now() / 1000) - 600 });
      const forged = await emulator.sendEvent(completed.id, { secret: 'whsec_attacker' });

      expect(resent).toEqual({ status: 200, body: '{"received":true}' });
      expect(receiver.received.map((e) => e.id)).toEqual([completed.id]);
      expect(stale.status).toBe(400);
      expect(forged.status).toBe(400);
      expect(receiver.rejections).toEqual([
        expect.stringContaining('Timestamp outside the tolerance zone'),
        expect.stringContaining('No signatures found matching the expected signature'),
      ]);
    });

    it('signs exactly as the SDK’s own test helper does', () => {
      const payload = JSON.stringify({ id: 'evt_1', object: 'event' });
      const timestamp = 1_700_000_000;

      expect(emulator.signPayload(payload, SECRET, timestamp)).toBe(
        stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp }),
      );
    });

    it('keeps completing payments when our endpoint is down, recording the failed delivery', async () => {
      const offline = new StripeEmulator({ webhookUrl: 'http://127.0.0.1:9/unreachable', webhookSecret: SECRET });
      await offline.start();
      try {
        const session = await sdk(TEST_KEY, offline).checkout.sessions.create(paymentSession());

        const events = await offline.completeCheckoutSession(session.id);

        expect(events.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'checkout.session.completed']);
        expect(offline.deliveries()).toEqual([
          expect.objectContaining({ eventId: events[0].id, status: 0, error: expect.any(String) }),
          expect.objectContaining({ eventId: events[1].id, status: 0, error: expect.any(String) }),
        ]);
        await expect(offline.sendEvent(events[1].id)).rejects.toThrow('failed');
      } finally {
        await offline.stop();
      }
    });
  });

  describe('manual sending, HTTP control and the hosted page', () => {
    it('only stores events when autoSendEvents is false, until sendEvent delivers them', async () => {
      const quiet = new StripeEmulator({ autoSendEvents: false });
      await quiet.start();
      try {
        const session = await sdk(TEST_KEY, quiet).checkout.sessions.create(paymentSession());
        const events = await quiet.completeCheckoutSession(session.id);
        const built = quiet.buildEvent('customer.updated', { id: 'cus_manual', object: 'customer' }, true);
        expect(receiver.received).toEqual([]);
        expect(quiet.events().map((e) => e.id)).toEqual([...events.map((e) => e.id), built.id]);
        expect(built).toMatchObject({ livemode: true, data: { object: { id: 'cus_manual' } } });

        quiet.setWebhook(receiver.url, SECRET);
        await quiet.sendEvent(events[1].id);
        await quiet.sendEvent(built.id);

        expect(receiver.types()).toEqual(['checkout.session.completed', 'customer.updated']);
        expect(receiver.received[1].livemode).toBe(true);
      } finally {
        await quiet.stop();
      }
    });

    it('lets another process drive the customer over /_emulator', async () => {
      const session = await stripe.checkout.sessions.create(paymentSession());
      const post = (path: string, body: object) =>
        fetch(`${emulator.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });

      const declined = await post(`/_emulator/checkout/sessions/${session.id}/fail`, { decline_code: 'expired_card' });
      const completed = await post(`/_emulator/checkout/sessions/${session.id}/complete`, { payment_status: 'paid' });
      const again = await post(`/_emulator/checkout/sessions/${session.id}/complete`, {});
      const listed = (await (await fetch(`${emulator.url}/_emulator/events`)).json()) as EventsBody;

      expect(declined.status).toBe(200);
      const [failed] = ((await declined.json()) as EventsBody).events;
      expect((failed.data.object as Stripe.PaymentIntent).last_payment_error?.code).toBe('expired_card');
      expect(((await completed.json()) as EventsBody).events.map((e) => e.type)).toEqual([
        'payment_intent.succeeded',
        'checkout.session.completed',
      ]);
      expect(again.status).toBe(400);
      expect(((await again.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
      expect(listed.events.at(-1)).toMatchObject({ type: 'checkout.session.completed' });
      expect(receiver.types()).toEqual(['payment_intent.payment_failed', 'payment_intent.succeeded', 'checkout.session.completed']);
    });

    it('shows a payment page whose button pays and redirects to success_url', async () => {
      const session = await stripe.checkout.sessions.create(paymentSession());

      const page = await fetch(session.url as string);
      const html = await page.text();
      const paid = await fetch(session.url as string, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'action=pay',
        redirect: 'manual',
      });

      expect(page.headers.get('content-type')).toContain('text/html');
      expect(html).toContain('Nuitée');
      expect(html).toMatch(/32,50\s€/);
      expect(html).toContain('Payer');
      expect(paid.status).toBe(303);
      expect(paid.headers.get('location')).toBe(`https://shop.example/merci?session=${session.id}`);
      expect(receiver.types()).toEqual(['payment_intent.succeeded', 'checkout.session.completed']);
      await expect(stripe.checkout.sessions.retrieve(session.id)).resolves.toMatchObject({
        status: 'complete',
        payment_status: 'paid',
      });
    });
  });
});
