import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { ApiRequestHandler } from './api-request-handler';
import { apiRoutes } from './api-routes';
import { ConfirmPaymentOptions, PaymentIntentFlow } from './card-payments';
import { CheckoutBillingFlow } from './checkout-billing-flow';
import { CheckoutFlow, CompleteCheckoutOptions, FailCheckoutOptions } from './checkout-flow';
import { CheckoutSessionEndpoints } from './checkout-session-endpoints';
import { EmulatorControls, handleControl } from './control-routes';
import { CustomerEndpoints } from './customer-endpoints';
import { EmulatorStore, WebhookDelivery } from './emulator-store';
import { EventSender } from './event-sender';
import { InvoicePaymentEndpoints } from './invoice-payment-endpoints';
import { PaymentIntentEndpoints } from './payment-intent-endpoints';
import { PaymentMethodEndpoints } from './payment-methods';
import { PriceEndpoints } from './price-endpoints';
import { RefundEndpoints } from './refund-endpoints';
import { RefundFlow, RefundOptions } from './refund-flow';
import { handlePayPage } from './hosted-page';
import { json, readBody, writeResult } from './http-io';
import { StripeApiError } from './stripe-api-error';
import { StripeEventLike } from './stripe-objects';
import { SubscriptionEndpoints } from './subscription-endpoints';
import { RenewSubscriptionOptions, SubscriptionFlow } from './subscription-flow';

export interface StripeEmulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where events are POSTed; can also be set later with setWebhook(). */
  webhookUrl?: string;
  /** The endpoint's `whsec_…` signing secret. */
  webhookSecret?: string;
  /** The live-mode endpoint's secret, which signs live-mode events; default webhookSecret. */
  webhookLiveSecret?: string;
  /** Default true: events are POSTed as they happen (and awaited). False: only stored, for sendEvent(). */
  autoSendEvents?: boolean;
}

/**
 * An in-memory stand-in for the part of Stripe's API we use, reached through the official SDK
 * (`new Stripe(key, { host, port, protocol: 'http' })`), plus the customer's side of Checkout and Stripe's webhook
 * deliveries. See README.md for what is covered.
 */
export class StripeEmulator implements EmulatorControls {
  private readonly store = new EmulatorStore();
  private readonly sender: EventSender;
  private readonly flow: CheckoutFlow;
  private readonly refunds: RefundFlow;
  private readonly payments: PaymentIntentFlow;
  private readonly subscriptions: SubscriptionFlow;
  private readonly api: ApiRequestHandler;
  private autoSend: boolean;
  private server: Server | null = null;
  private baseUrl = '';

  constructor(private readonly opts: StripeEmulatorOptions = {}) {
    if (Boolean(opts.webhookUrl) !== Boolean(opts.webhookSecret)) {
      throw new Error('StripeEmulator: webhookUrl and webhookSecret go together');
    }
    this.autoSend = opts.autoSendEvents ?? true;
    this.sender = new EventSender(this.store, null);
    if (opts.webhookUrl && opts.webhookSecret) this.setWebhook(opts.webhookUrl, opts.webhookSecret, opts.webhookLiveSecret);
    const build = this.sender.build;
    const deliver = (events: StripeEventLike[]) => this.dispatch(events);
    this.subscriptions = new SubscriptionFlow(this.store, build);
    this.flow = new CheckoutFlow(this.store, build, new CheckoutBillingFlow(this.store, build, this.subscriptions));
    this.refunds = new RefundFlow(this.store, build);
    this.payments = new PaymentIntentFlow(this.store, build);
    this.api = new ApiRequestHandler(
      this.store,
      apiRoutes(this.store, {
        customers: new CustomerEndpoints(this.store),
        sessions: new CheckoutSessionEndpoints(this.store, this.flow, deliver, () => this.url),
        refunds: new RefundEndpoints(this.store, this.refunds, deliver),
        paymentIntents: new PaymentIntentEndpoints(this.store, build, deliver),
        paymentMethods: new PaymentMethodEndpoints(this.store, build, deliver),
        prices: new PriceEndpoints(this.store),
        subscriptions: new SubscriptionEndpoints(this.store, this.subscriptions, deliver),
        invoicePayments: new InvoicePaymentEndpoints(this.store),
      }),
    );
  }

  async start(): Promise<string> {
    if (this.server) throw new Error('StripeEmulator already started');
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    this.baseUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // The SDK keeps sockets alive; without this, close() would wait for them to time out.
      server.closeAllConnections();
      await closed;
    }
    await this.sender.close();
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('StripeEmulator not started');
    return this.baseUrl;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Stripe has one endpoint (and secret) per mode; here both post to `url`, live-mode events signed with `liveSecret`. */
  setWebhook(url: string, secret: string, liveSecret?: string): void {
    if (!URL.canParse(url)) throw new Error(`StripeEmulator: webhook URL is not a URL: ${url}`);
    if (!secret) throw new Error('StripeEmulator: a webhook secret is required to sign events');
    this.sender.setTarget({ url, secret, liveSecret });
  }

  /** Off: customer actions only store their events, so a test can send them in any order, or several times. */
  setAutoSend(on: boolean): void {
    this.autoSend = on;
  }

  completeCheckoutSession(sessionId: string, opts?: CompleteCheckoutOptions): Promise<StripeEventLike[]> {
    return this.run(() => this.flow.complete(sessionId, opts));
  }

  asyncPaymentSucceeded(sessionId: string): Promise<StripeEventLike[]> {
    return this.run(() => this.flow.asyncPaymentSucceeded(sessionId));
  }

  asyncPaymentFailed(sessionId: string): Promise<StripeEventLike[]> {
    return this.run(() => this.flow.asyncPaymentFailed(sessionId));
  }

  failCheckoutPayment(sessionId: string, opts?: FailCheckoutOptions): Promise<StripeEventLike[]> {
    return this.run(() => this.flow.failPayment(sessionId, opts));
  }

  expireCheckoutSession(sessionId: string): Promise<StripeEventLike[]> {
    return this.run(() => this.flow.expire(sessionId));
  }

  /**
   * The customer confirms a PaymentIntent in the browser (the Payment Element) with `card` (default: the intent's
   * own method, else `visa`) → `payment_intent.succeeded`, or `payment_intent.payment_failed` with the intent back
   * at requires_payment_method, ready for another attempt.
   */
  confirmPaymentIntent(paymentIntentId: string, opts?: ConfirmPaymentOptions): Promise<StripeEventLike[]> {
    return this.run(() => this.payments.confirm(paymentIntentId, opts));
  }

  /**
   * Time reaches the end of the subscription's current period (a one-step test clock): it renews, charging its
   * payment method (or as `card` says), or ends when it was set to cancel at period end. See SubscriptionFlow.renew.
   */
  renewSubscription(subscriptionId: string, opts?: RenewSubscriptionOptions): Promise<StripeEventLike[]> {
    return this.run(() => this.subscriptions.renew(subscriptionId, opts));
  }

  /** The merchant refunds a paid session's payment, in full or in part (as from the Dashboard). */
  refundCheckoutSession(sessionId: string, opts?: RefundOptions): Promise<StripeEventLike[]> {
    return this.run(() => {
      const { session } = this.store.sessions.find(sessionId);
      if (typeof session.payment_intent !== 'string') {
        throw StripeApiError.invalid(undefined, `Checkout Session ${sessionId} has no payment to refund.`);
      }
      return this.refunds.refund(this.store.paymentIntents.find(session.payment_intent), opts).events;
    });
  }

  /** Every event emitted so far, oldest first. */
  events(): StripeEventLike[] {
    return structuredClone(this.store.events);
  }

  /** Every webhook delivery attempt, oldest first: what our endpoint answered to each event. */
  deliveries(): WebhookDelivery[] {
    return structuredClone(this.store.deliveries);
  }

  /**
   * (Re)sends a stored event, signed now, or with the given timestamp or secret to play a stale or forged delivery.
   * Rejects when the endpoint could not be reached, since a test calling this expects an answer.
   */
  async sendEvent(eventId: string, opts: { timestamp?: number; secret?: string } = {}): Promise<{ status: number; body: string }> {
    const event = this.store.events.find((candidate) => candidate.id === eventId);
    if (!event) throw StripeApiError.resourceMissing('event', eventId);
    const delivery = await this.sender.send(event, opts);
    if (delivery.error) throw new Error(`Delivery of ${eventId} to ${delivery.url} failed: ${delivery.error}`);
    return { status: delivery.status, body: delivery.body };
  }

  signPayload(payload: string, secret: string, timestamp?: number): string {
    return this.sender.sign(payload, secret, timestamp);
  }

  /** Stores an event for `object` without sending it; sendEvent() delivers it. */
  buildEvent(type: string, object: object, livemode: boolean): StripeEventLike {
    return structuredClone(this.sender.build(type, object, livemode));
  }

  private async run(transition: () => StripeEventLike[]): Promise<StripeEventLike[]> {
    const events = transition();
    await this.dispatch(events);
    // Copies: the stored events are what later resends serialise, so callers must not be able to edit them.
    return structuredClone(events);
  }

  /**
   * Delivers in order, one at a time. A failed delivery is recorded, never thrown: Stripe does not undo a payment
   * because our endpoint was down, and neither do we.
   */
  private async dispatch(events: StripeEventLike[]): Promise<void> {
    if (!this.autoSend || !this.sender.hasTarget) return;
    for (const event of events) await this.sender.send(event);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://emulator');
      const method = req.method ?? 'GET';
      const body = await readBody(req);
      const path = url.pathname;
      if (path.startsWith('/v1/')) {
        writeResult(res, await this.api.handle(method, path, url.search.slice(1), req.headers, body));
      } else if (path.startsWith('/_emulator/')) {
        writeResult(res, await handleControl(method, path, body, this));
      } else if (/^\/pay\/[^/]+$/.test(path)) {
        const hosted = {
          findSession: (id: string) => this.store.sessions.find(id),
          pay: (id: string) => this.completeCheckoutSession(id),
          decline: async (id: string) => {
            const [failed] = await this.failCheckoutPayment(id);
            return (failed.data.object as { last_payment_error?: { message?: string } }).last_payment_error?.message ?? '';
          },
        };
        writeResult(res, await handlePayPage(method, decodeURIComponent(path.slice('/pay/'.length)), body, hosted));
      } else {
        writeResult(res, json(404, { error: StripeApiError.unrecognizedUrl(method, path).body }));
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) writeResult(res, json(500, { error: { type: 'api_error', message: `stripe-emulator: ${message}` } }));
    }
  }
}
