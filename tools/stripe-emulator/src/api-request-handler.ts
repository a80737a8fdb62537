import { IncomingHttpHeaders } from 'node:http';
import Stripe from 'stripe';
import { EventRequest } from './checkout-flow';
import { EmulatorStore } from './emulator-store';
import { FormBodyError, parseFormBody } from './form-body';
import { HttpResult, json, matchPath } from './http-io';
import { RequestParams } from './request-params';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';

export interface ApiContext {
  params: RequestParams;
  path: Record<string, string>;
  livemode: boolean;
  apiVersion: string;
  /** Carried into events this request causes, as Stripe's `event.request`. */
  request: EventRequest;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  handle(ctx: ApiContext): object | Promise<object>;
}

const KEY_PATTERN = /^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/;
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * The /v1 API's envelope: API key, Stripe-Version, parameters, idempotency, Request-Id, and Stripe-shaped errors.
 * Endpoints only see an authenticated, parsed request.
 */
export class ApiRequestHandler {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly store: EmulatorStore,
    private readonly routes: ApiRoute[],
  ) {}

  async handle(method: string, path: string, query: string, headers: IncomingHttpHeaders, body: string): Promise<HttpResult> {
    const requestId = stripeIds.request();
    const apiVersion = header(headers, 'stripe-version') ?? Stripe.API_VERSION;
    const envelope = { 'request-id': requestId, 'stripe-version': apiVersion };
    const idempotencyKey = method === 'POST' ? header(headers, 'idempotency-key') : null;
    try {
      const livemode = authenticate(header(headers, 'authorization'));
      const { route, path: pathParams } = this.route(method, path);
      // The SDK sends GET and DELETE parameters in the query string, as Stripe expects them.
      const params = new RequestParams(parseFormBody(method === 'POST' ? body : query));
      const request = { id: requestId, idempotency_key: idempotencyKey };
      const ctx: ApiContext = { params, path: pathParams, livemode, apiVersion, request };
      const run = async () => json(200, await route.handle(ctx), envelope);
      if (idempotencyKey === null) return await run();
      return await this.idempotent(`${method} ${path}`, idempotencyKey, ctx, envelope, run);
    } catch (error) {
      return errorResult(error, envelope);
    }
  }

  private route(method: string, path: string): { route: ApiRoute; path: Record<string, string> } {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = matchPath(route.path, path);
      if (params) return { route, path: params };
    }
    throw StripeApiError.unrecognizedUrl(method, path);
  }

  /**
   * Stripe saves the result of a keyed POST once the endpoint has started work, and replays it for a retry with the
   * same parameters. Requests refused on validation are not saved, so a corrected retry may reuse the key. A card
   * decline (402) is a result: the PaymentIntent exists and was charged, so it is saved and replayed like a success.
   */
  private async idempotent(
    endpoint: string,
    key: string,
    ctx: ApiContext,
    envelope: Record<string, string>,
    run: () => Promise<HttpResult>,
  ): Promise<HttpResult> {
    if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw StripeApiError.invalid(undefined, `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`);
    }
    const scopedKey = `${ctx.livemode ? 'live' : 'test'}:${key}`;
    const fingerprint = JSON.stringify(ctx.params.values);
    const saved = this.store.idempotentResults.get(scopedKey);
    if (saved) {
      if (saved.endpoint !== endpoint) {
        throw StripeApiError.idempotency(
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ` +
            `('${saved.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a ` +
            'different request.',
        );
      }
      if (saved.fingerprint !== fingerprint) {
        throw StripeApiError.idempotency(
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try ` +
            `using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      return {
        status: saved.status,
        headers: {
          'content-type': 'application/json',
          ...envelope,
          'idempotent-replayed': 'true',
          'original-request': saved.requestId,
          'idempotency-key': key,
        },
        body: saved.body,
      };
    }
    if (this.inFlight.has(scopedKey)) {
      // Stripe's answer to a concurrent duplicate; the SDK retries 409s after a pause.
      throw StripeApiError.idempotency(
        `There is currently another in-progress request using this Idempotent Key (that probably means you submitted ` +
          `twice, and the other request is still going through): ${key}. Please try again later.`,
        409,
      );
    }
    this.inFlight.add(scopedKey);
    let result: HttpResult;
    try {
      result = await run();
    } catch (error) {
      result = errorResult(error, envelope);
    } finally {
      this.inFlight.delete(scopedKey);
    }
    if (result.status < 400 || result.status === 402 || result.status >= 500) {
      const requestId = envelope['request-id'];
      this.store.idempotentResults.set(scopedKey, { endpoint, fingerprint, requestId, status: result.status, body: result.body });
    }
    return { ...result, headers: { ...result.headers, 'idempotency-key': key } };
  }
}

/** Returns the key's livemode; Stripe answers a missing or malformed key with 401 and the key masked. */
function authenticate(authorization: string | null): boolean {
  const key = bearerOrBasicKey(authorization);
  if (key === null) {
    throw new StripeApiError(401, {
      type: 'invalid_request_error',
      message:
        'You did not provide an API key. You need to provide your API key in the Authorization header, using ' +
        "Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication " +
        'for details, or we can help at https://support.stripe.com/.',
    });
  }
  const match = KEY_PATTERN.exec(key);
  if (!match) {
    throw new StripeApiError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${maskKey(key)}` });
  }
  return match[2] === 'live';
}

function bearerOrBasicKey(authorization: string | null): string | null {
  if (!authorization) return null;
  const [scheme, credentials = ''] = authorization.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) return credentials || null;
  if (/^basic$/i.test(scheme)) return Buffer.from(credentials, 'base64').toString('utf8').split(':')[0] || null;
  return null;
}

/** `sk_test_abcdef1234` -> `sk_test_******1234`: enough to recognise the key, not enough to use it. */
export function maskKey(key: string): string {
  const prefix = /^[a-z]+_(test|live)_/.exec(key)?.[0] ?? '';
  const rest = key.slice(prefix.length);
  const visible = rest.length > 4 ? rest.slice(-4) : '';
  return `${prefix}${'*'.repeat(rest.length - visible.length)}${visible}`;
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function errorResult(error: unknown, envelope: Record<string, string>): HttpResult {
  if (error instanceof StripeApiError) {
    const extra: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Basic realm="Stripe"' } : {};
    return json(error.status, { error: error.body }, { ...envelope, ...extra });
  }
  if (error instanceof FormBodyError) {
    return json(400, { error: { type: 'invalid_request_error', message: error.message, param: error.key } }, envelope);
  }
  // An emulator bug, not something a retry would fix: tell the SDK not to retry, and say what broke.
  const message = error instanceof Error ? error.message : String(error);
  return json(500, { error: { type: 'api_error', message: `stripe-emulator internal error: ${message}` } }, {
    ...envelope,
    'stripe-should-retry': 'false',
  });
}
