import Stripe from 'stripe';
import { EventsBody, WebhookReceiver, control, paymentSession, setupSession, stripeError, useEmulator } from './emulator-test-kit.spec-helper';
import { StripeEmulator } from './index';

describe('StripeEmulator setup-mode Checkout and SetupIntents', () => {
  const harness = useEmulator();
  let emulator: StripeEmulator;
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  beforeAll(() => ({ emulator, receiver, stripe } = harness));

  it('saves the card: setup_intent.succeeded then checkout.session.completed, metadata from setup_intent_data', async () => {
    const customer = await stripe.customers.create({ email: 'saver@example.com', name: 'Sam Saver' });
    const session = await stripe.checkout.sessions.create(setupSession(customer.id));

    const events = await emulator.completeCheckoutSession(session.id, { card: 'visa' });

    expect(session).toMatchObject({ mode: 'setup', status: 'open', payment_status: 'no_payment_required', currency: 'eur', amount_total: null, setup_intent: null });
    expect(receiver.rejections).toEqual([]);
    expect(receiver.types()).toEqual(['setup_intent.succeeded', 'checkout.session.completed']);
    expect(receiver.received.map((e) => e.id)).toEqual(events.map((e) => e.id));
    const setupIntent = receiver.received[0].data.object as Stripe.SetupIntent;
    const completed = receiver.received[1].data.object as Stripe.Checkout.Session;
    expect(setupIntent).toMatchObject({
      object: 'setup_intent',
      status: 'succeeded',
      usage: 'off_session',
      customer: customer.id,
      metadata: { partner_id: 'par_9' },
      livemode: false,
      payment_method_types: ['card'],
    });
    expect(setupIntent.id).toMatch(/^seti_/);
    expect(setupIntent.client_secret).toMatch(new RegExp(`^${setupIntent.id}_secret_`));
    expect(completed).toMatchObject({
      id: session.id,
      status: 'complete',
      payment_status: 'no_payment_required',
      setup_intent: setupIntent.id,
      payment_intent: null,
      customer: customer.id,
      customer_details: { email: 'saver@example.com', name: 'Sam Saver' },
      url: null,
    });

    const retrieved = await stripe.setupIntents.retrieve(setupIntent.id);
    const paymentMethod = await stripe.paymentMethods.retrieve(retrieved.payment_method as string);
    expect(retrieved).toMatchObject({ id: setupIntent.id, payment_method: setupIntent.payment_method });
    expect(paymentMethod).toMatchObject({
      object: 'payment_method',
      type: 'card',
      customer: customer.id,
      card: { brand: 'visa', last4: '4242', funding: 'credit', country: 'US' },
      billing_details: { email: 'saver@example.com', name: 'Sam Saver' },
      livemode: false,
    });
    expect(paymentMethod.card?.exp_year).toBeGreaterThan(new Date().getFullYear());
  });

  it('saves a card that will need authentication, whose last4 tells which test card it is', async () => {
    const customer = await stripe.customers.create();
    const session = await stripe.checkout.sessions.create(setupSession(customer.id, { setup_intent_data: { description: 'Caution' } }));

    const [succeeded] = await emulator.completeCheckoutSession(session.id, { card: 'authentication_required' });

    const setupIntent = succeeded.data.object as Stripe.SetupIntent;
    expect(setupIntent).toMatchObject({ status: 'succeeded', description: 'Caution', metadata: {} });
    await expect(stripe.paymentMethods.retrieve(setupIntent.payment_method as string)).resolves.toMatchObject({ card: { last4: '3184' } });
  });

  it('takes each mode’s *_data only in that mode, and a currency in setup mode', async () => {
    const customer = await stripe.customers.create();
    const setupDataInPayment = await stripeError(
      stripe.checkout.sessions.create(paymentSession({ setup_intent_data: { metadata: { a: '1' } } })),
    );
    const subscriptionDataInSetup = await stripeError(
      stripe.checkout.sessions.create(setupSession(customer.id, { subscription_data: { metadata: { a: '1' } } })),
    );
    const paymentDataInSetup = await stripeError(
      stripe.checkout.sessions.create(setupSession(customer.id, { payment_intent_data: { metadata: { a: '1' } } })),
    );
    const noCurrency = await stripeError(stripe.checkout.sessions.create(setupSession(customer.id, { currency: undefined })));
    const byMethodTypes = await stripe.checkout.sessions.create(setupSession(customer.id, { currency: undefined, allowed_payment_method_types: ['card'] }));
    const typo = await stripeError(
      stripe.checkout.sessions.create(setupSession(customer.id, { setup_intent_data: { metdata: { a: '1' } } as Stripe.Checkout.SessionCreateParams.SetupIntentData })),
    );

    expect(setupDataInPayment).toMatchObject({ statusCode: 400, param: 'setup_intent_data', message: 'You can only specify `setup_intent_data` in `setup` mode.' });
    expect(subscriptionDataInSetup).toMatchObject({ param: 'subscription_data' });
    expect(paymentDataInSetup).toMatchObject({ param: 'payment_intent_data' });
    expect(noCurrency).toMatchObject({ code: 'parameter_missing', param: 'currency' });
    expect(byMethodTypes.currency).toBeNull();
    expect(typo).toMatchObject({ code: 'parameter_unknown', param: 'setup_intent_data[metdata]' });
  });

  it('needs the session’s customer to complete a setup session', async () => {
    const session = await stripe.checkout.sessions.create({ ...setupSession('unused'), customer: undefined });

    await expect(emulator.completeCheckoutSession(session.id)).rejects.toThrow('only when they were created with `customer`');
    await expect(emulator.completeCheckoutSession(session.id, { paymentStatus: 'unpaid' })).rejects.toThrow('completed by card');
    await expect(stripe.checkout.sessions.retrieve(session.id)).resolves.toMatchObject({ status: 'open' });
    expect(receiver.types()).toEqual([]);
  });

  it('keeps SetupIntents to their mode, and completes over the control API with a card', async () => {
    const customer = await harness.live.customers.create();
    const session = await harness.live.checkout.sessions.create(setupSession(customer.id));

    const response = await control(emulator, `/_emulator/checkout/sessions/${session.id}/complete`, { card: 'insufficient_funds' });
    const [succeeded] = ((await response.json()) as EventsBody).events;
    const setupIntent = succeeded.data.object as Stripe.SetupIntent;

    expect(response.status).toBe(200);
    expect(succeeded.livemode).toBe(true);
    expect(setupIntent.livemode).toBe(true);
    await expect(harness.live.setupIntents.retrieve(setupIntent.id)).resolves.toMatchObject({ status: 'succeeded' });
    const crossMode = await stripeError(stripe.setupIntents.retrieve(setupIntent.id));
    expect(crossMode).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(crossMode.message).toContain('a similar object exists in live mode');
    const expand = await stripeError(harness.live.setupIntents.retrieve(setupIntent.id, { expand: ['payment_method'] }));
    expect(expand).toMatchObject({ param: 'expand' });
  });
});
