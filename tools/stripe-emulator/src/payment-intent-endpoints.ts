import { ApiContext } from './api-request-handler';
import { methodTypesParam } from './api-versions';
import { cardDeclined, chargeCard, insertPaymentIntent, invoicePaymentOf, paymentOutcomeEvent } from './card-payments';
import { EventFactory } from './checkout-flow';
import { MINIMUM_CHARGE, formatMinor } from './checkout-line-items';
import { EmulatorStore } from './emulator-store';
import { LIST_PARAMS, listPage } from './list-page';
import { resolvePaymentMethod } from './payment-methods';
import { requireCurrency } from './price-endpoints';
import { ParamShape, RequestParams, mergeMetadata, newMetadata, refuseExpand } from './request-params';
import { StripeApiError } from './stripe-api-error';
import { ListObject, PaymentIntentObject, PaymentMethodObject, StripeEventLike, nowSeconds } from './stripe-objects';

const SETUP_FUTURE_USAGE = ['on_session', 'off_session'] as const;

const CREATE_PARAMS: { [key: string]: ParamShape } = {
  amount: true,
  currency: true,
  customer: true,
  payment_method: true,
  off_session: true,
  confirm: true,
  automatic_payment_methods: { enabled: true, allow_redirects: true },
  metadata: 'map',
  description: true,
  receipt_email: true,
  setup_future_usage: true,
  expand: [true],
};

const UPDATE_PARAMS: { [key: string]: ParamShape } = {
  amount: true,
  currency: true,
  payment_method: true,
  setup_future_usage: true,
  metadata: 'map',
  description: true,
  receipt_email: true,
  expand: [true],
};

/** Fields Stripe only lets change before the payment is under way; metadata and descriptions may change any time. */
const PAYMENT_FIELDS = ['amount', 'currency', 'payment_method', 'setup_future_usage'] as const;
const UPDATABLE_STATUSES = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE_STATUSES = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];
const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;

/** /v1/payment_intents: create (and confirm, on- or off-session), retrieve, update, cancel, list. */
export class PaymentIntentEndpoints {
  constructor(
    private readonly store: EmulatorStore,
    private readonly newEvent: EventFactory,
    /** Sends the events a request caused, before the response, as on Stripe. */
    private readonly deliver: (events: StripeEventLike[]) => Promise<void>,
  ) {}

  /**
   * With `confirm=true` the charge is attempted at once. A decline still creates the PaymentIntent (left at
   * requires_payment_method) and answers 402 with it in `error.payment_intent`; being a result, not a refusal, that
   * answer is saved under the idempotency key and replayed.
   */
  async create(ctx: ApiContext): Promise<PaymentIntentObject> {
    const { params, livemode } = ctx;
    const typesParam = methodTypesParam(ctx.apiVersion);
    params.assertKnown({ ...CREATE_PARAMS, [typesParam]: [true] });
    refuseExpand(params);
    const amount = params.requireInt('amount', 1);
    const currency = requireCurrency(params);
    assertMinimum(amount, currency);
    const customerId = params.string('customer');
    if (customerId !== null) this.store.customers.get(customerId, livemode, 'customer');
    const confirm = params.boolean('confirm') ?? false;
    if (params.boolean('off_session') !== null && !confirm) {
      throw StripeApiError.invalid('off_session', 'off_session can only be used with confirm=true.');
    }
    const paymentMethodTypes = readMethodTypes(params, typesParam);
    const pmId = params.string('payment_method');
    const pm = pmId === null ? null : this.usablePaymentMethod(pmId, customerId, livemode);
    if (confirm && pm === null) {
      throw StripeApiError.invalid(
        'payment_method',
        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, " +
          'pass a payment_method attached to the customer, along with the customer ID.',
      );
    }
    const intent = insertPaymentIntent(this.store, {
      amount,
      currency,
      customer: customerId,
      description: params.string('description'),
      metadata: newMetadata(params.metadata('metadata')),
      livemode,
      paymentMethodTypes,
      receiptEmail: params.string('receipt_email'),
      setupFutureUsage: params.enum('setup_future_usage', SETUP_FUTURE_USAGE),
    });
    if (pm) {
      intent.payment_method = pm.id;
      intent.status = 'requires_confirmation';
    }
    if (!confirm || !pm) return intent;
    const declined = chargeCard(this.store, intent, pm);
    await this.deliver([paymentOutcomeEvent(this.newEvent, intent, ctx.request)]);
    if (declined) throw cardDeclined(intent, declined);
    return intent;
  }

  update(ctx: ApiContext): PaymentIntentObject {
    const { params, livemode } = ctx;
    params.assertKnown(UPDATE_PARAMS);
    refuseExpand(params);
    const intent = this.store.paymentIntents.get(ctx.path.id, livemode);
    const changed = PAYMENT_FIELDS.find((field) => params.has(field));
    if (changed) this.refuseInvoiceIntent(intent, 'updated');
    if (changed && !UPDATABLE_STATUSES.includes(intent.status)) {
      throw StripeApiError.unexpectedState(
        `This PaymentIntent's ${changed} could not be updated because it has a status of ${intent.status}. You may ` +
          `only update the ${changed} of a PaymentIntent with one of the following statuses: ${UPDATABLE_STATUSES.join(', ')}.`,
        changed,
      );
    }
    // Validate everything before changing anything, so a refused update leaves the PaymentIntent as it was.
    const currency = params.has('currency') ? requireCurrency(params) : intent.currency;
    const amount = params.int('amount', 1) ?? intent.amount;
    if (params.has('amount') || params.has('currency')) assertMinimum(amount, currency);
    const pmId = params.string('payment_method');
    const pm = pmId === null ? null : this.usablePaymentMethod(pmId, intent.customer, livemode);
    const setupFutureUsage = params.enum('setup_future_usage', SETUP_FUTURE_USAGE);
    const metadata = params.metadata('metadata');

    intent.amount = amount;
    intent.currency = currency;
    if (pm) {
      intent.payment_method = pm.id;
      intent.status = 'requires_confirmation';
    }
    if (params.has('setup_future_usage')) intent.setup_future_usage = setupFutureUsage;
    if (params.has('description')) intent.description = params.string('description');
    if (params.has('receipt_email')) intent.receipt_email = params.string('receipt_email');
    intent.metadata = mergeMetadata(intent.metadata, metadata);
    return intent;
  }

  async cancel(ctx: ApiContext): Promise<PaymentIntentObject> {
    const { params, livemode } = ctx;
    params.assertKnown({ cancellation_reason: true, expand: [true] });
    refuseExpand(params);
    const intent = this.store.paymentIntents.get(ctx.path.id, livemode);
    const reason = params.enum('cancellation_reason', CANCELLATION_REASONS);
    this.refuseInvoiceIntent(intent, 'canceled');
    if (!CANCELABLE_STATUSES.includes(intent.status)) {
      throw StripeApiError.unexpectedState(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with ` +
          `one of the following statuses may be canceled: ${CANCELABLE_STATUSES.join(', ')}.`,
      );
    }
    intent.status = 'canceled';
    intent.canceled_at = nowSeconds();
    intent.cancellation_reason = reason;
    await this.deliver([this.newEvent('payment_intent.canceled', intent, livemode, ctx.request)]);
    return intent;
  }

  list(ctx: ApiContext): ListObject<PaymentIntentObject> {
    ctx.params.assertKnown({ ...LIST_PARAMS, customer: true });
    const customer = ctx.params.string('customer');
    const intents = this.store.paymentIntents.list(ctx.livemode).filter((pi) => customer === null || pi.customer === customer);
    return listPage(intents, ctx.params, '/v1/payment_intents', 'payment_intent');
  }

  /** Stripe Billing owns an invoice's PaymentIntent: its payment is changed through the invoice, not directly. */
  private refuseInvoiceIntent(intent: PaymentIntentObject, action: 'updated' | 'canceled'): void {
    const link = invoicePaymentOf(this.store, intent);
    if (link) {
      throw StripeApiError.invalid(
        undefined,
        `This PaymentIntent pays invoice ${link.invoice} and cannot be ${action} directly; act on the invoice instead.`,
      );
    }
  }

  /** A method that may pay for this customer: its own, or an unattached one when it was never spent. */
  private usablePaymentMethod(id: string, customerId: string | null, livemode: boolean): PaymentMethodObject {
    const pm = resolvePaymentMethod(this.store, id, livemode, 'payment_method');
    if (pm.customer !== null && pm.customer !== customerId) {
      throw StripeApiError.invalid(
        'payment_method',
        customerId === null
          ? `The provided PaymentMethod ${pm.id} is attached to a Customer. Pass that customer in \`customer\` to use it.`
          : `The provided PaymentMethod ${pm.id} belongs to another Customer than ${customerId}.`,
      );
    }
    if (pm.customer === null && this.store.spentPaymentMethods.has(pm.id)) {
      throw StripeApiError.invalid(
        'payment_method',
        `The provided PaymentMethod ${pm.id} was previously used with a PaymentIntent without Customer attachment, ` +
          'shared with a connected account without Customer attachment, or was detached from a Customer. It may not be ' +
          'used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.',
      );
    }
    return pm;
  }
}

function readMethodTypes(params: RequestParams, typesParam: string): string[] | null {
  const types = params.stringList(typesParam);
  const automatic = params.object('automatic_payment_methods');
  if (automatic !== null) {
    if (types.length > 0) {
      throw StripeApiError.invalid(
        'automatic_payment_methods',
        `You may only specify one of these parameters: automatic_payment_methods, ${typesParam}.`,
      );
    }
    if (automatic.boolean('enabled') === null) throw StripeApiError.parameterMissing(automatic.name('enabled'));
    automatic.enum('allow_redirects', ['always', 'never'] as const);
  }
  return types.length > 0 ? types : null;
}

/** Stripe refuses charges below a per-currency minimum (in minor units), with code amount_too_small. */
function assertMinimum(amount: number, currency: string): void {
  const minimum = MINIMUM_CHARGE[currency];
  if (minimum !== undefined && amount < minimum) {
    throw StripeApiError.invalid('amount', `Amount must be at least ${formatMinor(minimum, currency)}`, 'amount_too_small');
  }
}
