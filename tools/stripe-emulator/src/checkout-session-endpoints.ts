import { ApiContext } from './api-request-handler';
import { CheckoutFlow } from './checkout-flow';
import { createCheckoutSession } from './checkout-session-create';
import { EmulatorStore, SessionRecord } from './emulator-store';
import { LIST_PARAMS, listPage } from './list-page';
import { StripeApiError } from './stripe-api-error';
import { CheckoutSessionObject, ListObject, StripeEventLike } from './stripe-objects';

const LINE_ITEMS_PAGE = 10;

/** /v1/checkout/sessions: create, retrieve (with expand), list, line items, and the merchant's expire call. */
export class CheckoutSessionEndpoints {
  constructor(
    private readonly store: EmulatorStore,
    private readonly flow: CheckoutFlow,
    /** Sends the events a request caused; awaited, so a webhook can arrive before the API response, as on Stripe. */
    private readonly deliver: (events: StripeEventLike[]) => Promise<void>,
    private readonly baseUrl: () => string,
  ) {}

  create(ctx: ApiContext): CheckoutSessionObject {
    const { livemode, apiVersion } = ctx;
    const record = createCheckoutSession(this.store, ctx.params, { livemode, apiVersion, baseUrl: this.baseUrl() });
    return this.present(record, ctx.params.stringList('expand'));
  }

  retrieve(ctx: ApiContext): CheckoutSessionObject {
    ctx.params.assertKnown({ expand: [true] });
    return this.present(this.store.sessions.get(ctx.path.id, ctx.livemode), ctx.params.stringList('expand'));
  }

  list(ctx: ApiContext): ListObject<CheckoutSessionObject> {
    ctx.params.assertKnown({ ...LIST_PARAMS, customer: true, payment_intent: true, status: true });
    const customer = ctx.params.string('customer');
    const paymentIntent = ctx.params.string('payment_intent');
    const status = ctx.params.enum('status', ['open', 'complete', 'expired'] as const);
    const records = this.store.sessions.list(ctx.livemode).filter(
      ({ session }) =>
        (customer === null || session.customer === customer) &&
        (paymentIntent === null || session.payment_intent === paymentIntent) &&
        (status === null || session.status === status),
    );
    const page = listPage(records, ctx.params, '/v1/checkout/sessions', 'checkout.session');
    const expand = ctx.params.stringList('expand').map((path) => {
      if (!path.startsWith('data.')) throw cannotExpand(path);
      return path.slice('data.'.length);
    });
    return { ...page, data: page.data.map((record) => this.present(record, expand)) };
  }

  listLineItems(ctx: ApiContext): ListObject<SessionRecord['lineItems'][number]> {
    ctx.params.assertKnown(LIST_PARAMS);
    const record = this.store.sessions.get(ctx.path.id, ctx.livemode);
    return listPage(record.lineItems, ctx.params, `/v1/checkout/sessions/${record.id}/line_items`, 'item');
  }

  async expire(ctx: ApiContext): Promise<CheckoutSessionObject> {
    ctx.params.assertKnown({ expand: [true] });
    const record = this.store.sessions.get(ctx.path.id, ctx.livemode);
    await this.deliver(this.flow.expire(record.id, ctx.request));
    return this.present(record, ctx.params.stringList('expand'));
  }

  /** A copy of the session with the requested fields expanded; the stored session keeps ids. */
  private present(record: SessionRecord, expand: string[]): CheckoutSessionObject {
    const session: CheckoutSessionObject = { ...record.session };
    for (const path of expand) {
      if (path === 'line_items') {
        session.line_items = {
          object: 'list',
          data: record.lineItems.slice(0, LINE_ITEMS_PAGE),
          has_more: record.lineItems.length > LINE_ITEMS_PAGE,
          url: `/v1/checkout/sessions/${record.id}/line_items`,
        };
      } else if (path === 'payment_intent') {
        if (typeof session.payment_intent === 'string') {
          session.payment_intent = this.store.paymentIntents.find(session.payment_intent);
        }
      } else if (path === 'customer') {
        if (typeof session.customer === 'string') session.customer = this.store.customers.find(session.customer);
      } else {
        throw cannotExpand(path);
      }
    }
    return session;
  }
}

function cannotExpand(path: string): StripeApiError {
  return StripeApiError.invalid('expand', `This property cannot be expanded (${path}).`);
}
