import { ApiContext, ApiRoute } from './api-request-handler';
import { CheckoutSessionEndpoints } from './checkout-session-endpoints';
import { CustomerEndpoints } from './customer-endpoints';
import { EmulatorStore, ObjectCollection } from './emulator-store';
import { InvoicePaymentEndpoints } from './invoice-payment-endpoints';
import { PaymentIntentEndpoints } from './payment-intent-endpoints';
import { PaymentMethodEndpoints } from './payment-methods';
import { PriceEndpoints } from './price-endpoints';
import { RefundEndpoints } from './refund-endpoints';
import { refuseExpand } from './request-params';
import { SubscriptionEndpoints } from './subscription-endpoints';

export interface Endpoints {
  customers: CustomerEndpoints;
  sessions: CheckoutSessionEndpoints;
  refunds: RefundEndpoints;
  paymentIntents: PaymentIntentEndpoints;
  paymentMethods: PaymentMethodEndpoints;
  prices: PriceEndpoints;
  subscriptions: SubscriptionEndpoints;
  invoicePayments: InvoicePaymentEndpoints;
}

/** Every emulated /v1 endpoint. Anything else answers Stripe's "Unrecognized request URL". */
export function apiRoutes(store: EmulatorStore, endpoints: Endpoints): ApiRoute[] {
  const { customers, sessions, refunds, paymentIntents, paymentMethods, prices, subscriptions, invoicePayments } = endpoints;
  return [
    { method: 'POST', path: '/v1/customers', handle: (ctx) => customers.create(ctx.params, ctx.livemode) },
    { method: 'GET', path: '/v1/customers', handle: (ctx) => customers.list(ctx.params, ctx.livemode) },
    { method: 'GET', path: '/v1/customers/:id', handle: (ctx) => plainRetrieve(ctx, store.customers) },
    { method: 'POST', path: '/v1/customers/:id', handle: (ctx) => customers.update(ctx.path.id, ctx.params, ctx.livemode) },
    { method: 'GET', path: '/v1/customers/:id/payment_methods', handle: (ctx) => paymentMethods.listForCustomer(ctx) },
    { method: 'GET', path: '/v1/payment_methods', handle: (ctx) => paymentMethods.list(ctx) },
    { method: 'GET', path: '/v1/payment_methods/:id', handle: (ctx) => plainRetrieve(ctx, store.paymentMethods) },
    { method: 'POST', path: '/v1/payment_methods/:id/attach', handle: (ctx) => paymentMethods.attach(ctx) },
    { method: 'POST', path: '/v1/payment_methods/:id/detach', handle: (ctx) => paymentMethods.detach(ctx) },
    { method: 'POST', path: '/v1/checkout/sessions', handle: (ctx) => sessions.create(ctx) },
    { method: 'GET', path: '/v1/checkout/sessions', handle: (ctx) => sessions.list(ctx) },
    { method: 'GET', path: '/v1/checkout/sessions/:id', handle: (ctx) => sessions.retrieve(ctx) },
    { method: 'GET', path: '/v1/checkout/sessions/:id/line_items', handle: (ctx) => sessions.listLineItems(ctx) },
    { method: 'POST', path: '/v1/checkout/sessions/:id/expire', handle: (ctx) => sessions.expire(ctx) },
    { method: 'POST', path: '/v1/payment_intents', handle: (ctx) => paymentIntents.create(ctx) },
    { method: 'GET', path: '/v1/payment_intents', handle: (ctx) => paymentIntents.list(ctx) },
    {
      method: 'GET',
      path: '/v1/payment_intents/:id',
      handle: (ctx) => plainRetrieve(ctx, store.paymentIntents, { client_secret: true }),
    },
    { method: 'POST', path: '/v1/payment_intents/:id', handle: (ctx) => paymentIntents.update(ctx) },
    { method: 'POST', path: '/v1/payment_intents/:id/cancel', handle: (ctx) => paymentIntents.cancel(ctx) },
    {
      method: 'GET',
      path: '/v1/setup_intents/:id',
      handle: (ctx) => plainRetrieve(ctx, store.setupIntents, { client_secret: true }),
    },
    { method: 'POST', path: '/v1/prices', handle: (ctx) => prices.create(ctx) },
    { method: 'GET', path: '/v1/prices', handle: (ctx) => prices.list(ctx) },
    { method: 'GET', path: '/v1/prices/:id', handle: (ctx) => plainRetrieve(ctx, store.prices) },
    { method: 'GET', path: '/v1/subscriptions', handle: (ctx) => subscriptions.list(ctx) },
    { method: 'GET', path: '/v1/subscriptions/:id', handle: (ctx) => plainRetrieve(ctx, store.subscriptions) },
    { method: 'POST', path: '/v1/subscriptions/:id', handle: (ctx) => subscriptions.update(ctx) },
    { method: 'DELETE', path: '/v1/subscriptions/:id', handle: (ctx) => subscriptions.cancel(ctx) },
    { method: 'GET', path: '/v1/invoices', handle: (ctx) => subscriptions.listInvoices(ctx) },
    { method: 'GET', path: '/v1/invoices/:id', handle: (ctx) => plainRetrieve(ctx, store.invoices) },
    { method: 'GET', path: '/v1/invoice_payments', handle: (ctx) => invoicePayments.list(ctx) },
    { method: 'GET', path: '/v1/invoice_payments/:id', handle: (ctx) => plainRetrieve(ctx, store.invoicePayments) },
    { method: 'POST', path: '/v1/refunds', handle: (ctx) => refunds.create(ctx) },
    { method: 'GET', path: '/v1/refunds', handle: (ctx) => refunds.list(ctx) },
    { method: 'GET', path: '/v1/refunds/:id', handle: (ctx) => refunds.retrieve(ctx) },
  ];
}

/**
 * Retrieves by id in the key's mode, without expansions: an `expand` we do not model is refused rather than silently
 * ignored. `extra` names further parameters Stripe accepts there (a publishable key's `client_secret`).
 */
function plainRetrieve<T extends { id: string; livemode: boolean }>(
  ctx: ApiContext,
  collection: ObjectCollection<T>,
  extra: Record<string, true> = {},
): T {
  ctx.params.assertKnown({ expand: [true], ...extra });
  refuseExpand(ctx.params);
  return collection.get(ctx.path.id, ctx.livemode);
}
