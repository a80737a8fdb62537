import { InvoicePaymentObject } from './billing-objects';
import { EventFactory, EventRequest } from './checkout-flow';
import { EmulatorStore } from './emulator-store';
import { paymentError } from './payment-failures';
import { createCardPaymentMethod, testCardOf } from './payment-methods';
import { Metadata } from './request-params';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';
import { PaymentErrorObject, PaymentIntentObject, PaymentMethodObject, StripeEventLike, nowSeconds } from './stripe-objects';
import { TestCard, declineCodeFor } from './test-cards';

export interface NewPaymentIntent {
  amount: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Metadata;
  livemode: boolean;
  /** Null: automatic payment methods, Stripe's default since 2023-08-16 (the emulator offers cards only). */
  paymentMethodTypes: string[] | null;
  receiptEmail?: string | null;
  setupFutureUsage?: PaymentIntentObject['setup_future_usage'];
}

/** A PaymentIntent awaiting its payment method, as both Checkout and `POST /v1/payment_intents` create them. */
export function insertPaymentIntent(store: EmulatorStore, fields: NewPaymentIntent): PaymentIntentObject {
  const id = stripeIds.paymentIntent();
  return store.paymentIntents.insert({
    id,
    object: 'payment_intent',
    allowed_payment_method_types: fields.paymentMethodTypes,
    amount: fields.amount,
    amount_capturable: 0,
    amount_received: 0,
    automatic_payment_methods: fields.paymentMethodTypes ? null : { allow_redirects: 'always', enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: stripeIds.clientSecret(id),
    confirmation_method: 'automatic',
    created: nowSeconds(),
    currency: fields.currency,
    customer: fields.customer,
    description: fields.description,
    last_payment_error: null,
    latest_charge: null,
    livemode: fields.livemode,
    metadata: { ...fields.metadata },
    next_action: null,
    payment_method: null,
    payment_method_types: fields.paymentMethodTypes ?? ['card'],
    receipt_email: fields.receiptEmail ?? null,
    setup_future_usage: fields.setupFutureUsage ?? null,
    status: 'requires_payment_method',
  });
}

export function succeedIntent(intent: PaymentIntentObject): void {
  intent.status = 'succeeded';
  intent.amount_received = intent.amount;
  // The charge object itself is not emulated; its id is there for code that stores it.
  intent.latest_charge = stripeIds.charge();
  intent.last_payment_error = null;
}

/**
 * One confirmation with a card PaymentMethod; the method's test card decides, unless `declineCode` plays another
 * answer from the bank (a renewal told to fail, or Checkout's page where 3-D Secure passes). On success a method
 * confirmed with `setup_future_usage` is attached to the customer, as Stripe does; one used without a customer is
 * spent. On a decline Stripe detaches the method from the PaymentIntent and records it in `last_payment_error`.
 */
export function chargeCard(
  store: EmulatorStore,
  intent: PaymentIntentObject,
  pm: PaymentMethodObject,
  declineCode: string | null = declineCodeFor(testCardOf(store, pm.id)),
): PaymentErrorObject | null {
  if (declineCode !== null) {
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = paymentError(pm, { declineCode });
    return intent.last_payment_error;
  }
  intent.payment_method = pm.id;
  succeedIntent(intent);
  if (pm.customer === null) {
    if (intent.setup_future_usage && intent.customer) pm.customer = intent.customer;
    else store.spentPaymentMethods.add(pm.id);
  }
  return null;
}

/** `payment_intent.succeeded` or `payment_intent.payment_failed`, after a confirmation. */
export function paymentOutcomeEvent(newEvent: EventFactory, intent: PaymentIntentObject, request?: EventRequest): StripeEventLike {
  const type = intent.status === 'succeeded' ? 'payment_intent.succeeded' : 'payment_intent.payment_failed';
  return newEvent(type, intent, intent.livemode, request);
}

/** The 402 Stripe answers a declined confirmation with; the SDK throws it as StripeCardError. */
export function cardDeclined(intent: PaymentIntentObject, error: PaymentErrorObject): StripeApiError {
  const { type: _type, ...fields } = error;
  return StripeApiError.card({ ...fields, payment_intent: structuredClone(intent) });
}

/** The InvoicePayment a PaymentIntent belongs to, when Stripe Billing created it for an invoice. */
export function invoicePaymentOf(store: EmulatorStore, intent: PaymentIntentObject): InvoicePaymentObject | undefined {
  return store.invoicePayments.list(intent.livemode).find((link) => link.payment.payment_intent === intent.id);
}

const CONFIRMABLE = new Set(['requires_payment_method', 'requires_confirmation']);

export interface ConfirmPaymentOptions {
  /** The card the customer enters; default: the PaymentIntent's own method if it has one, else `visa`. */
  card?: TestCard;
}

/** The customer confirming a PaymentIntent in the browser (the Payment Element), with retries after a decline. */
export class PaymentIntentFlow {
  constructor(
    private readonly store: EmulatorStore,
    private readonly newEvent: EventFactory,
  ) {}

  confirm(intentId: string, opts: ConfirmPaymentOptions = {}): StripeEventLike[] {
    const intent = this.store.paymentIntents.find(intentId);
    const link = invoicePaymentOf(this.store, intent);
    if (link) {
      // Paying it would have to settle the invoice and its subscription too, which only renewals model.
      throw StripeApiError.invalid(
        undefined,
        `PaymentIntent ${intentId} pays invoice ${link.invoice}; the emulator charges invoices only through renewSubscription.`,
      );
    }
    if (!CONFIRMABLE.has(intent.status)) {
      throw StripeApiError.unexpectedState(
        `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with ` +
          'one of the following statuses may be confirmed: requires_payment_method, requires_confirmation.',
      );
    }
    const chosen = opts.card === undefined && intent.payment_method ? this.store.paymentMethods.find(intent.payment_method) : null;
    const pm = chosen ?? createCardPaymentMethod(this.store, opts.card ?? 'visa', { customer: null, livemode: intent.livemode });
    chargeCard(this.store, intent, pm);
    return [paymentOutcomeEvent(this.newEvent, intent)];
  }
}
