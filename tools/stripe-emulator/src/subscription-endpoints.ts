import { ApiContext } from './api-request-handler';
import { InvoiceObject, SubscriptionObject } from './billing-objects';
import { EmulatorStore } from './emulator-store';
import { LIST_PARAMS, listPage } from './list-page';
import { refuseExpand } from './request-params';
import { ListObject, StripeEventLike } from './stripe-objects';
import { SubscriptionFlow } from './subscription-flow';

const SUBSCRIPTION_STATUSES = ['active', 'past_due', 'canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'trialing', 'paused', 'ended', 'all'] as const;
const CANCELLATION_FEEDBACK = ['customer_service', 'low_quality', 'missing_features', 'other', 'switched_service', 'too_complex', 'too_expensive', 'unused'] as const;
const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;

/** /v1/subscriptions (retrieve, list, update, cancel) and /v1/invoices (retrieve, list). Creation goes through Checkout. */
export class SubscriptionEndpoints {
  constructor(
    private readonly store: EmulatorStore,
    private readonly flow: SubscriptionFlow,
    /** Sends the events a request caused, before the response, as on Stripe. */
    private readonly deliver: (events: StripeEventLike[]) => Promise<void>,
  ) {}

  /** Like Stripe, the default list leaves canceled subscriptions out; `status=canceled` or `all` brings them in. */
  list(ctx: ApiContext): ListObject<SubscriptionObject> {
    const { params } = ctx;
    params.assertKnown({ ...LIST_PARAMS, customer: true, status: true, price: true });
    const customer = params.string('customer');
    const price = params.string('price');
    const status = params.enum('status', SUBSCRIPTION_STATUSES);
    const subscriptions = this.store.subscriptions.list(ctx.livemode).filter(
      (sub) =>
        (customer === null || sub.customer === customer) &&
        (price === null || sub.items.data.some((item) => item.price.id === price)) &&
        (status === null ? sub.status !== 'canceled' : status === 'all' || (status === 'ended' ? sub.status === 'canceled' : sub.status === status)),
    );
    return listPage(subscriptions, params, '/v1/subscriptions', 'subscription');
  }

  async update(ctx: ApiContext): Promise<SubscriptionObject> {
    const { params, livemode } = ctx;
    params.assertKnown({ cancel_at_period_end: true, metadata: 'map', description: true, expand: [true] });
    refuseExpand(params);
    const subscription = this.store.subscriptions.get(ctx.path.id, livemode);
    const changes = {
      cancelAtPeriodEnd: params.boolean('cancel_at_period_end') ?? undefined,
      metadata: params.metadata('metadata'),
      description: params.has('description') ? params.string('description') : undefined,
    };
    await this.deliver(this.flow.update(subscription, changes, ctx.request));
    return subscription;
  }

  /** `invoice_now` and `prorate` are accepted and have no effect: the emulator bills no final invoice or proration. */
  async cancel(ctx: ApiContext): Promise<SubscriptionObject> {
    const { params, livemode } = ctx;
    params.assertKnown({ invoice_now: true, prorate: true, cancellation_details: { comment: true, feedback: true }, expand: [true] });
    refuseExpand(params);
    params.boolean('invoice_now');
    params.boolean('prorate');
    const subscription = this.store.subscriptions.get(ctx.path.id, livemode);
    const details = params.object('cancellation_details');
    const events = this.flow.cancel(subscription, ctx.request, {
      comment: details?.string('comment') ?? null,
      feedback: details?.enum('feedback', CANCELLATION_FEEDBACK) ?? null,
    });
    await this.deliver(events);
    return subscription;
  }

  listInvoices(ctx: ApiContext): ListObject<InvoiceObject> {
    const { params } = ctx;
    params.assertKnown({ ...LIST_PARAMS, customer: true, subscription: true, status: true });
    const customer = params.string('customer');
    const subscription = params.string('subscription');
    const status = params.enum('status', INVOICE_STATUSES);
    const invoices = this.store.invoices.list(ctx.livemode).filter(
      (invoice) =>
        (customer === null || invoice.customer === customer) &&
        (subscription === null || invoice.parent.subscription_details.subscription === subscription) &&
        (status === null || invoice.status === status),
    );
    return listPage(invoices, params, '/v1/invoices', 'invoice');
  }
}
