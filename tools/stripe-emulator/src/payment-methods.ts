import { ApiContext } from './api-request-handler';
import { EmulatorStore } from './emulator-store';
import { LIST_PARAMS, listPage } from './list-page';
import { RequestParams, refuseExpand } from './request-params';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';
import { ListObject, PaymentMethodObject, StripeEventLike, nowSeconds } from './stripe-objects';
import { TEST_CARD_TOKENS, TestCard, cardLast4 } from './test-cards';
import { EventFactory } from './checkout-flow';

export interface NewCardOptions {
  customer: string | null;
  livemode: boolean;
  /** What the customer typed on the payment page. */
  email?: string | null;
  name?: string | null;
}

/** A card PaymentMethod for one of the test cards; the kind is kept beside it, since Stripe's object does not say. */
export function createCardPaymentMethod(store: EmulatorStore, card: TestCard, opts: NewCardOptions): PaymentMethodObject {
  const pm = store.paymentMethods.insert({
    id: stripeIds.paymentMethod(),
    object: 'payment_method',
    billing_details: { address: null, email: opts.email ?? null, name: opts.name ?? null, phone: null, tax_id: null },
    card: {
      brand: 'visa',
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: 'visa',
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 3,
      fingerprint: stripeIds.cardFingerprint(),
      funding: 'credit',
      last4: cardLast4(card),
    },
    created: nowSeconds(),
    customer: opts.customer,
    livemode: opts.livemode,
    metadata: {},
    type: 'card',
  });
  store.testCards.set(pm.id, card);
  return pm;
}

/**
 * A `payment_method` parameter: a stored method of the request's mode, or one of Stripe's test tokens
 * (`pm_card_visa`, …), which Stripe turns into a new, unattached method each time it is used.
 */
export function resolvePaymentMethod(store: EmulatorStore, id: string, livemode: boolean, param: string): PaymentMethodObject {
  const token = TEST_CARD_TOKENS[id];
  if (token && !livemode) return createCardPaymentMethod(store, token, { customer: null, livemode });
  return store.paymentMethods.get(id, livemode, param);
}

export function testCardOf(store: EmulatorStore, paymentMethodId: string): TestCard {
  return store.testCards.get(paymentMethodId) ?? 'visa';
}

/** /v1/payment_methods: retrieve, attach to a customer, detach, and list a customer's methods. */
export class PaymentMethodEndpoints {
  constructor(
    private readonly store: EmulatorStore,
    private readonly newEvent: EventFactory,
    private readonly deliver: (events: StripeEventLike[]) => Promise<void>,
  ) {}

  async attach(ctx: ApiContext): Promise<PaymentMethodObject> {
    const { params, livemode } = ctx;
    params.assertKnown({ customer: true, expand: [true] });
    refuseExpand(params);
    const customer = this.store.customers.get(params.requireString('customer'), livemode, 'customer');
    const pm = resolvePaymentMethod(this.store, ctx.path.id, livemode, 'payment_method');
    if (pm.customer === customer.id) return pm;
    if (pm.customer !== null) {
      throw StripeApiError.invalid(undefined, 'The payment method you provided has already been attached to a customer.');
    }
    if (this.store.spentPaymentMethods.has(pm.id)) {
      throw StripeApiError.invalid(
        undefined,
        'This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, ' +
          'and may not be used again.',
      );
    }
    pm.customer = customer.id;
    await this.deliver([this.newEvent('payment_method.attached', pm, livemode, ctx.request)]);
    return pm;
  }

  /** Stripe also drops the method from the customer's invoice settings, and never lets it be attached again. */
  async detach(ctx: ApiContext): Promise<PaymentMethodObject> {
    const { params, livemode } = ctx;
    params.assertKnown({ expand: [true] });
    refuseExpand(params);
    const pm = this.store.paymentMethods.get(ctx.path.id, livemode);
    const customerId = pm.customer;
    if (customerId === null) {
      throw StripeApiError.invalid(
        undefined,
        'The payment method you provided is not attached to a customer so detachment is impossible.',
      );
    }
    pm.customer = null;
    this.store.spentPaymentMethods.add(pm.id);
    const customer = this.store.customers.get(customerId, livemode);
    if (customer.invoice_settings.default_payment_method === pm.id) customer.invoice_settings.default_payment_method = null;
    const event = this.newEvent('payment_method.detached', pm, livemode, ctx.request, { customer: customerId });
    await this.deliver([event]);
    return pm;
  }

  list(ctx: ApiContext): ListObject<PaymentMethodObject> {
    ctx.params.assertKnown({ ...LIST_PARAMS, customer: true, type: true });
    const customer = ctx.params.string('customer');
    if (customer !== null) this.store.customers.get(customer, ctx.livemode, 'customer');
    return this.page(ctx.params, ctx.livemode, customer, '/v1/payment_methods');
  }

  listForCustomer(ctx: ApiContext): ListObject<PaymentMethodObject> {
    ctx.params.assertKnown({ ...LIST_PARAMS, type: true });
    const customer = this.store.customers.get(ctx.path.id, ctx.livemode, 'customer');
    return this.page(ctx.params, ctx.livemode, customer.id, `/v1/customers/${customer.id}/payment_methods`);
  }

  private page(params: RequestParams, livemode: boolean, customer: string | null, url: string): ListObject<PaymentMethodObject> {
    const type = params.string('type');
    const methods = this.store.paymentMethods
      .list(livemode)
      .filter((pm) => pm.customer !== null && (customer === null || pm.customer === customer) && (type === null || pm.type === type));
    return listPage(methods, params, url, 'payment_method');
  }
}
