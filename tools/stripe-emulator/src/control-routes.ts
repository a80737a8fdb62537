import { ConfirmPaymentOptions } from './card-payments';
import { CompleteCheckoutOptions, FailCheckoutOptions } from './checkout-flow';
import { REFUND_REASONS, RefundOptions } from './refund-flow';
import { WebhookDelivery } from './emulator-store';
import { HttpResult, json, matchPath } from './http-io';
import { StripeApiError } from './stripe-api-error';
import { StripeEventLike } from './stripe-objects';
import { RenewSubscriptionOptions } from './subscription-flow';
import { TEST_CARDS } from './test-cards';

/** The emulator's customer-side actions, driven over HTTP by another process (a demo script, an e2e runner). */
export interface EmulatorControls {
  completeCheckoutSession(id: string, opts?: CompleteCheckoutOptions): Promise<StripeEventLike[]>;
  asyncPaymentSucceeded(id: string): Promise<StripeEventLike[]>;
  asyncPaymentFailed(id: string): Promise<StripeEventLike[]>;
  failCheckoutPayment(id: string, opts?: FailCheckoutOptions): Promise<StripeEventLike[]>;
  expireCheckoutSession(id: string): Promise<StripeEventLike[]>;
  refundCheckoutSession(id: string, opts?: RefundOptions): Promise<StripeEventLike[]>;
  confirmPaymentIntent(id: string, opts?: ConfirmPaymentOptions): Promise<StripeEventLike[]>;
  renewSubscription(id: string, opts?: RenewSubscriptionOptions): Promise<StripeEventLike[]>;
  events(): StripeEventLike[];
  deliveries(): WebhookDelivery[];
  sendEvent(id: string, opts?: { timestamp?: number; secret?: string }): Promise<{ status: number; body: string }>;
  setWebhook(url: string, secret: string, liveSecret?: string): void;
}

type JsonBody = Record<string, unknown>;

interface ControlRoute {
  method: 'GET' | 'POST';
  path: string;
  run(controls: EmulatorControls, id: string, body: JsonBody): Promise<unknown> | unknown;
}

const SESSION = '/_emulator/checkout/sessions/:id';

const ROUTES: ControlRoute[] = [
  {
    method: 'POST',
    path: `${SESSION}/complete`,
    run: async (c, id, body) => ({
      events: await c.completeCheckoutSession(id, {
        card: oneOf(body, 'card', TEST_CARDS),
        paymentStatus: oneOf(body, 'payment_status', ['paid', 'unpaid'] as const),
        paymentMethodType: text(body, 'payment_method_type'),
        email: text(body, 'email'),
        name: text(body, 'name'),
      }),
    }),
  },
  { method: 'POST', path: `${SESSION}/async_succeeded`, run: async (c, id) => ({ events: await c.asyncPaymentSucceeded(id) }) },
  { method: 'POST', path: `${SESSION}/async_failed`, run: async (c, id) => ({ events: await c.asyncPaymentFailed(id) }) },
  {
    method: 'POST',
    path: `${SESSION}/fail`,
    run: async (c, id, body) => ({
      events: await c.failCheckoutPayment(id, { declineCode: text(body, 'decline_code'), message: text(body, 'message') }),
    }),
  },
  { method: 'POST', path: `${SESSION}/expire`, run: async (c, id) => ({ events: await c.expireCheckoutSession(id) }) },
  {
    method: 'POST',
    path: `${SESSION}/refund`,
    run: async (c, id, body) => ({
      events: await c.refundCheckoutSession(id, { amount: integer(body, 'amount', 'an integer (minor units)'), reason: oneOf(body, 'reason', REFUND_REASONS) }),
    }),
  },
  {
    method: 'POST',
    path: '/_emulator/payment_intents/:id/confirm',
    run: async (c, id, body) => ({ events: await c.confirmPaymentIntent(id, { card: oneOf(body, 'card', TEST_CARDS) }) }),
  },
  {
    method: 'POST',
    path: '/_emulator/subscriptions/:id/renew',
    run: async (c, id, body) => ({ events: await c.renewSubscription(id, { card: oneOf(body, 'card', TEST_CARDS) }) }),
  },
  { method: 'GET', path: '/_emulator/events', run: (c) => ({ events: c.events() }) },
  { method: 'GET', path: '/_emulator/deliveries', run: (c) => ({ deliveries: c.deliveries() }) },
  {
    method: 'POST',
    path: '/_emulator/events/:id/send',
    run: (c, id, body) => c.sendEvent(id, { timestamp: integer(body, 'timestamp'), secret: text(body, 'secret') }),
  },
  {
    method: 'POST',
    path: '/_emulator/webhook',
    run: (c, _id, body) => {
      const url = text(body, 'url');
      const secret = text(body, 'secret');
      if (!url || !secret) throw StripeApiError.parameterMissing(url ? 'secret' : 'url');
      c.setWebhook(url, secret, text(body, 'live_secret'));
      return { url };
    },
  },
];

/** No API key here: these routes play the customer and the test harness, not the merchant. */
export async function handleControl(method: string, path: string, rawBody: string, controls: EmulatorControls): Promise<HttpResult> {
  try {
    for (const route of ROUTES) {
      const params = route.method === method ? matchPath(route.path, path) : null;
      if (params) return json(200, await route.run(controls, params.id ?? '', parseJson(rawBody)));
    }
    throw StripeApiError.unrecognizedUrl(method, path);
  } catch (error) {
    if (error instanceof StripeApiError) return json(error.status, { error: error.body });
    const message = error instanceof Error ? error.message : String(error);
    return json(400, { error: { type: 'invalid_request_error', message } });
  }
}

function parseJson(body: string): JsonBody {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw StripeApiError.invalid(undefined, 'Control requests take a JSON body.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw StripeApiError.invalid(undefined, 'Control requests take a JSON object.');
  }
  return parsed as JsonBody;
}

function text(body: JsonBody, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw StripeApiError.invalid(key, `${key} must be a string`);
  return value;
}

function integer(body: JsonBody, key: string, what = 'an integer (unix seconds)'): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value)) throw StripeApiError.invalid(key, `${key} must be ${what}`);
  return value as number;
}

function oneOf<T extends string>(body: JsonBody, key: string, allowed: readonly T[]): T | undefined {
  const value = text(body, key);
  if (value !== undefined && !allowed.includes(value as T)) {
    throw StripeApiError.invalid(key, `${key} must be one of ${allowed.join(', ')}`);
  }
  return value as T | undefined;
}
