import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { Agent, request } from 'undici';
import { EventFactory, EventRequest } from './checkout-flow';
import { EmulatorStore, WebhookDelivery } from './emulator-store';
import { stripeIds } from './stripe-ids';
import { StripeEventLike, nowSeconds } from './stripe-objects';

export interface WebhookTarget {
  url: string;
  secret: string;
  /** Live-mode events are signed with this one, as Stripe signs them with the live endpoint's secret; default `secret`. */
  liveSecret?: string;
}

const NO_REQUEST: EventRequest = { id: null, idempotency_key: null };

// The headers Stripe's webhook sender puts on every delivery, besides the signature.
const DELIVERY_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
  'cache-control': 'no-cache',
  accept: '*/*; q=0.5, application/xml',
};

/** Builds events like Stripe's, signs them with the endpoint secret and POSTs them to the one webhook endpoint. */
export class EventSender {
  // A private pool, so stop() can close the sockets it opened to the receiver.
  private readonly agent = new Agent({ connect: { timeout: 5_000 }, headersTimeout: 10_000, bodyTimeout: 10_000 });

  constructor(
    private readonly store: EmulatorStore,
    private target: WebhookTarget | null,
  ) {}

  setTarget(target: WebhookTarget): void {
    this.target = target;
  }

  get hasTarget(): boolean {
    return this.target !== null;
  }

  /** The object is copied, so the event keeps the state it had when it happened, as Stripe's do. */
  readonly build: EventFactory = (type, object, livemode, eventRequest = NO_REQUEST, previousAttributes) => {
    const event: StripeEventLike = {
      id: stripeIds.event(),
      object: 'event',
      // Events are rendered in the SDK's pinned version, which the endpoint would be created with.
      api_version: Stripe.API_VERSION,
      created: nowSeconds(),
      data: {
        object: structuredClone(object),
        ...(previousAttributes ? { previous_attributes: structuredClone(previousAttributes) } : {}),
      },
      livemode,
      pending_webhooks: this.target ? 1 : 0,
      request: eventRequest,
      type,
    };
    this.store.events.push(event);
    return event;
  };

  /** `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`, keyed with the whole `whsec_…` string, as Stripe signs. */
  sign(payload: string, secret: string, timestamp = nowSeconds()): string {
    const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
    return `t=${timestamp},v1=${signature}`;
  }

  /**
   * One delivery attempt, recorded whatever happens. The signature covers the exact bytes sent; `timestamp` and
   * `secret` let a test send a stale or forged delivery.
   */
  async send(event: StripeEventLike, opts: { timestamp?: number; secret?: string } = {}): Promise<WebhookDelivery> {
    if (!this.target) throw new Error('No webhook endpoint: pass webhookUrl and webhookSecret, or call setWebhook()');
    const { url, secret, liveSecret } = this.target;
    const payload = JSON.stringify(event, null, 2);
    const header = this.sign(payload, opts.secret ?? (event.livemode && liveSecret ? liveSecret : secret), opts.timestamp);
    const delivery: WebhookDelivery = { eventId: event.id, eventType: event.type, url, status: 0, body: '', attemptedAt: Date.now() };
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { ...DELIVERY_HEADERS, 'stripe-signature': header },
        body: payload,
        dispatcher: this.agent,
      });
      delivery.status = response.statusCode;
      delivery.body = await response.body.text();
      if (delivery.status >= 200 && delivery.status < 300) event.pending_webhooks = 0;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    this.store.deliveries.push(delivery);
    return delivery;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
