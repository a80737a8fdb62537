import { ApiRoute } from './api-request-handler';
import { CheckoutSessionEndpoints } from './checkout-session-endpoints';
import { CustomerEndpoints } from './customer-endpoints';
import { EmulatorStore } from './emulator-store';
import { RefundEndpoints } from './refund-endpoints';
import { RequestParams } from './request-params';
import { StripeApiError } from './stripe-api-error';

/** Every emulated /v1 endpoint. Anything else answers Stripe's "Unrecognized request URL". */
export function apiRoutes(
  store: EmulatorStore,
  customers: CustomerEndpoints,
  sessions: CheckoutSessionEndpoints,
  refunds: RefundEndpoints,
): ApiRoute[] {
  return [
    { method: 'POST', path: '/v1/customers', handle: (ctx) => customers.create(ctx.params, ctx.livemode) },
    { method: 'GET', path: '/v1/customers', handle: (ctx) => customers.list(ctx.params, ctx.livemode) },
    {
      method: 'GET',
      path: '/v1/customers/:id',
      handle: (ctx) => plainRetrieve(ctx.params, () => customers.retrieve(ctx.path.id, ctx.livemode)),
    },
    { method: 'POST', path: '/v1/customers/:id', handle: (ctx) => customers.update(ctx.path.id, ctx.params, ctx.livemode) },
    { method: 'POST', path: '/v1/checkout/sessions', handle: (ctx) => sessions.create(ctx) },
    { method: 'GET', path: '/v1/checkout/sessions', handle: (ctx) => sessions.list(ctx) },
    { method: 'GET', path: '/v1/checkout/sessions/:id', handle: (ctx) => sessions.retrieve(ctx) },
    { method: 'GET', path: '/v1/checkout/sessions/:id/line_items', handle: (ctx) => sessions.listLineItems(ctx) },
    { method: 'POST', path: '/v1/checkout/sessions/:id/expire', handle: (ctx) => sessions.expire(ctx) },
    {
      method: 'GET',
      path: '/v1/payment_intents/:id',
      handle: (ctx) => plainRetrieve(ctx.params, () => store.paymentIntents.get(ctx.path.id, ctx.livemode)),
    },
    { method: 'POST', path: '/v1/refunds', handle: (ctx) => refunds.create(ctx) },
    { method: 'GET', path: '/v1/refunds', handle: (ctx) => refunds.list(ctx) },
    { method: 'GET', path: '/v1/refunds/:id', handle: (ctx) => refunds.retrieve(ctx) },
  ];
}

/** Retrieves without expansions; an `expand` we do not model is refused rather than silently ignored. */
function plainRetrieve<T>(params: RequestParams, retrieve: () => T): T {
  params.assertKnown({ expand: [true] });
  const [expand] = params.stringList('expand');
  if (expand !== undefined) throw StripeApiError.invalid('expand', `This property cannot be expanded (${expand}).`);
  return retrieve();
}
