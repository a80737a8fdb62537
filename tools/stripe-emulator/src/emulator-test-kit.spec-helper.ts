import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { StripeEmulator } from './stripe-emulator';
import { StripeEventLike } from './stripe-objects';
import { TestCard } from './test-cards';

/** Shared by the emulator's specs: a real webhook endpoint, SDK clients pointed at the emulator, fixtures. */
export const TEST_KEY = 'sk_test_emulatorKey4242';
export const LIVE_KEY = 'sk_live_emulatorKey4242';
export const SECRET = 'whsec_emulatorSigningSecret';

/** Our side of the webhook: verifies exactly as a production endpoint does, with the official SDK. */
export class WebhookReceiver {
  readonly received: Stripe.Event[] = [];
  readonly rejections: string[] = [];
  readonly headers: IncomingMessage['headers'][] = [];
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));
  private readonly verifier = new Stripe(TEST_KEY);

  url = '';

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/stripe`;
    return this.url;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  types(): string[] {
    return this.received.map((event) => event.type);
  }

  clear(): void {
    this.received.length = 0;
    this.rejections.length = 0;
    this.headers.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.headers.push(req.headers);
    try {
      const event = this.verifier.webhooks.constructEvent(Buffer.concat(chunks), String(req.headers['stripe-signature']), SECRET);
      this.received.push(event);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    } catch (error) {
      this.rejections.push((error as Error).message);
      res.writeHead(400).end(`Webhook Error: ${(error as Error).message}`);
    }
  }
}

export type EventsBody = { events: StripeEventLike[] };

export const sdk = (key: string, emulator: StripeEmulator, config: Stripe.StripeConfig = {}) =>
  new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http', ...config });

/** Stripe's error as the SDK throws it, for asserting on class and fields together. */
export async function stripeError(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected the Stripe call to fail');
}

export const paymentSession = (overrides: Stripe.Checkout.SessionCreateParams = {}): Stripe.Checkout.SessionCreateParams => ({
  mode: 'payment',
  success_url: 'https://shop.example/merci?session={CHECKOUT_SESSION_ID}',
  cancel_url: 'https://shop.example/panier',
  line_items: [
    { price_data: { currency: 'eur', unit_amount: 1500, product_data: { name: 'Nuitée', metadata: { sku: 'N1' } } }, quantity: 2 },
    { price_data: { currency: 'eur', unit_amount: 250, product_data: { name: 'Taxe de séjour' } }, quantity: 1 },
  ],
  metadata: { order_id: 'ord_123' },
  payment_intent_data: { metadata: { order_id: 'ord_123', partner_id: 'par_9' } },
  client_reference_id: 'ord_123',
  ...overrides,
});

export interface EmulatorHarness {
  emulator: StripeEmulator;
  receiver: WebhookReceiver;
  stripe: Stripe;
  live: Stripe;
}

/** One emulator and one receiver per spec file; the receiver forgets what it got before each test. */
export function useEmulator(): EmulatorHarness {
  const harness = { receiver: new WebhookReceiver() } as EmulatorHarness;
  beforeAll(async () => {
    const webhookUrl = await harness.receiver.start();
    harness.emulator = new StripeEmulator({ webhookUrl, webhookSecret: SECRET });
    await harness.emulator.start();
    harness.stripe = sdk(TEST_KEY, harness.emulator);
    harness.live = sdk(LIVE_KEY, harness.emulator);
  });
  afterAll(async () => {
    await harness.emulator.stop();
    await harness.receiver.stop();
  });
  beforeEach(() => harness.receiver.clear());
  return harness;
}

export const setupSession = (
  customer: string,
  overrides: Stripe.Checkout.SessionCreateParams = {},
): Stripe.Checkout.SessionCreateParams => ({
  mode: 'setup',
  currency: 'eur',
  customer,
  success_url: 'https://shop.example/carte-enregistree?session={CHECKOUT_SESSION_ID}',
  setup_intent_data: { metadata: { partner_id: 'par_9' } },
  ...overrides,
});

/** A customer whose card (`card`, default visa) was saved by a setup session and made its default payment method. */
export async function customerWithCard(
  harness: EmulatorHarness,
  card: TestCard = 'visa',
  client: Stripe = harness.stripe,
): Promise<{ customer: Stripe.Customer; paymentMethod: string }> {
  const customer = await client.customers.create({ email: `card-${card}@example.com` });
  const session = await client.checkout.sessions.create(setupSession(customer.id));
  await harness.emulator.completeCheckoutSession(session.id, { card });
  const setupIntent = (await client.checkout.sessions.retrieve(session.id)).setup_intent as string;
  const paymentMethod = (await client.setupIntents.retrieve(setupIntent)).payment_method as string;
  const updated = await client.customers.update(customer.id, { invoice_settings: { default_payment_method: paymentMethod } });
  harness.receiver.clear();
  return { customer: updated, paymentMethod };
}

/** POSTs a JSON body to a control route, as another process would. */
export function control(emulator: StripeEmulator, path: string, body: object = {}): Promise<Response> {
  return fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
