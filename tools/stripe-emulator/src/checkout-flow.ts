import { insertPaymentIntent, succeedIntent } from './card-payments';
import { CardHolder, CheckoutBillingFlow } from './checkout-billing-flow';
import { EmulatorStore, SessionRecord } from './emulator-store';
import { DELAYED_NOTIFICATION_METHODS, paymentError } from './payment-failures';
import { createCardPaymentMethod } from './payment-methods';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';
import { Address, PaymentIntentObject, SessionMode, StripeEventLike, nowSeconds } from './stripe-objects';
import { TestCard, checkoutDeclineCodeFor } from './test-cards';

export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

/**
 * Builds and stores an event from a snapshot of `object`; delivery is the caller's business. `previousAttributes`
 * becomes `data.previous_attributes`, which Stripe puts on `*.updated` events.
 */
export type EventFactory = (
  type: string,
  object: object,
  livemode: boolean,
  request?: EventRequest,
  previousAttributes?: object,
) => StripeEventLike;

export interface CompleteCheckoutOptions {
  /**
   * The card the customer enters (default `visa`). Checkout's page passes 3-D Secure, so `authentication_required`
   * goes through here. In payment mode a declined card fails the attempt as failCheckoutPayment does; in
   * subscription mode it is refused with a card error; setup saves any card (declines show when it is charged).
   */
  card?: TestCard;
  /** Payment mode only. */
  paymentStatus?: 'paid' | 'unpaid';
  /** Default 'card', or 'sepa_debit' when paymentStatus is 'unpaid'. */
  paymentMethodType?: string;
  /** What the customer types on the payment page; defaults to the session's customer or customer_email. */
  email?: string;
  name?: string;
  /** The billing address typed on the page (Checkout collects one when asked to, or when the card needs it). */
  address?: Address;
}

export interface FailCheckoutOptions {
  declineCode?: string;
  message?: string;
}

/**
 * The customer's side of Checkout: paying, failing, a delayed debit settling or bouncing, the session lapsing. Each
 * transition changes the stored objects as Stripe would and returns the events Stripe would send, in order.
 */
export class CheckoutFlow {
  constructor(
    private readonly store: EmulatorStore,
    private readonly newEvent: EventFactory,
    private readonly billing: CheckoutBillingFlow,
  ) {}

  complete(sessionId: string, opts: CompleteCheckoutOptions = {}): StripeEventLike[] {
    const record = this.openSession(sessionId, 'complete', ['payment', 'setup', 'subscription']);
    const { session, livemode } = record;
    const card = opts.card ?? 'visa';
    const paymentStatus = opts.paymentStatus ?? 'paid';
    const methodType = opts.paymentMethodType ?? (paymentStatus === 'unpaid' ? 'sepa_debit' : 'card');
    if (session.mode !== 'payment' && (opts.paymentStatus !== undefined || opts.paymentMethodType !== undefined)) {
      throw StripeApiError.invalid(undefined, `${session.mode}-mode sessions are completed by card; pass \`card\` only.`);
    }
    if (paymentStatus === 'unpaid' && !DELAYED_NOTIFICATION_METHODS.has(methodType)) {
      throw StripeApiError.invalid(
        'payment_method_type',
        `${methodType} payments settle at once; completing unpaid needs a delayed method such as sepa_debit.`,
      );
    }
    const declineCode = checkoutDeclineCodeFor(card);
    // A declined card in payment mode is the decline path: the session stays open for another attempt.
    if (session.mode === 'payment' && declineCode !== null) return this.failPayment(sessionId, { declineCode });

    const customer = typeof session.customer === 'string' ? this.store.customers.find(session.customer) : null;
    const holder = {
      email: opts.email ?? session.customer_email ?? customer?.email ?? 'jenny.rosen@example.com',
      name: opts.name ?? customer?.name ?? 'Jenny Rosen',
    };
    const events: StripeEventLike[] = [];
    if (session.mode === 'setup') events.push(...this.billing.completeSetup(record, card, holder));
    else if (session.mode === 'subscription') events.push(...this.billing.completeSubscription(record, card, holder));
    else events.push(...this.pay(record, methodType, paymentStatus, card, holder));
    session.status = 'complete';
    session.url = null; // Stripe only gives a URL while the session can still be paid
    session.customer_details = { address: opts.address ?? customer?.address ?? null, ...holder, phone: null, tax_exempt: 'none', tax_ids: [] };
    events.push(this.newEvent('checkout.session.completed', session, livemode));
    return events;
  }

  private pay(
    record: SessionRecord,
    methodType: string,
    paymentStatus: 'paid' | 'unpaid',
    card: TestCard,
    holder: CardHolder,
  ): StripeEventLike[] {
    const { session, livemode } = record;
    const intent = this.paymentIntentFor(record, methodType);
    intent.payment_method =
      methodType === 'card' ? createCardPaymentMethod(this.store, card, { customer: null, livemode, ...holder }).id : stripeIds.paymentMethod();
    intent.payment_method_types = [methodType];
    intent.last_payment_error = null;
    session.payment_intent = intent.id;
    // Stripe only lets a session be paid by a method it offers: a test paying by another one makes the session offer it.
    if (!session.payment_method_types.includes(methodType)) session.payment_method_types = [...session.payment_method_types, methodType];
    if (paymentStatus === 'unpaid') {
      intent.status = 'processing';
      session.payment_status = 'unpaid';
      return [];
    }
    succeedIntent(intent);
    session.payment_status = 'paid';
    return [this.newEvent('payment_intent.succeeded', intent, livemode)];
  }

  asyncPaymentSucceeded(sessionId: string): StripeEventLike[] {
    const { record, intent } = this.processingPayment(sessionId);
    succeedIntent(intent);
    record.session.payment_status = 'paid';
    return [
      this.newEvent('payment_intent.succeeded', intent, record.livemode),
      this.newEvent('checkout.session.async_payment_succeeded', record.session, record.livemode),
    ];
  }

  asyncPaymentFailed(sessionId: string): StripeEventLike[] {
    const { record, intent } = this.processingPayment(sessionId);
    this.decline(intent, {});
    return [
      this.newEvent('payment_intent.payment_failed', intent, record.livemode),
      this.newEvent('checkout.session.async_payment_failed', record.session, record.livemode),
    ];
  }

  /** A declined attempt: the session stays open so the customer can try again, with the same PaymentIntent. */
  failPayment(sessionId: string, opts: FailCheckoutOptions = {}): StripeEventLike[] {
    const record = this.openSession(sessionId, 'fail a payment on', ['payment']);
    const intent = this.paymentIntentFor(record, 'card');
    intent.payment_method_types = ['card'];
    this.decline(intent, opts);
    record.session.payment_intent = intent.id;
    return [this.newEvent('payment_intent.payment_failed', intent, record.livemode)];
  }

  expire(sessionId: string, request?: EventRequest): StripeEventLike[] {
    const record = this.store.sessions.find(sessionId);
    const { session } = record;
    if (session.status !== 'open') {
      throw StripeApiError.invalid(
        undefined,
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
      );
    }
    session.status = 'expired';
    session.url = null;
    if (typeof session.payment_intent === 'string') {
      const intent = this.store.paymentIntents.find(session.payment_intent);
      intent.status = 'canceled';
      intent.canceled_at = nowSeconds();
      intent.cancellation_reason = 'abandoned';
    }
    return [this.newEvent('checkout.session.expired', session, record.livemode, request)];
  }

  private openSession(sessionId: string, action: string, modes: SessionMode[]): SessionRecord {
    const record = this.store.sessions.find(sessionId);
    if (record.session.status !== 'open') {
      throw StripeApiError.invalid(
        undefined,
        `Cannot ${action} Checkout Session ${sessionId}: its status is ${record.session.status}.`,
      );
    }
    if (!modes.includes(record.session.mode)) {
      throw StripeApiError.invalid(
        undefined,
        `The emulator can only ${action} ${modes.join(' or ')}-mode Checkout Sessions; ${sessionId} is in ${record.session.mode} mode.`,
      );
    }
    return record;
  }

  /** A delayed payment awaiting its outcome: completed, unpaid, PaymentIntent processing. */
  private processingPayment(sessionId: string): { record: SessionRecord; intent: PaymentIntentObject } {
    const record = this.store.sessions.find(sessionId);
    const { session } = record;
    const intent = typeof session.payment_intent === 'string' ? this.store.paymentIntents.find(session.payment_intent) : null;
    if (session.status !== 'complete' || session.payment_status !== 'unpaid' || intent?.status !== 'processing') {
      throw StripeApiError.invalid(
        undefined,
        `Checkout Session ${sessionId} has no delayed payment awaiting its outcome (status ${session.status}, ` +
          `payment_status ${session.payment_status}); complete it with paymentStatus 'unpaid' first.`,
      );
    }
    return { record, intent };
  }

  /** Checkout creates the PaymentIntent when the customer first submits, and reuses it for later attempts. */
  private paymentIntentFor(record: SessionRecord, methodType: string): PaymentIntentObject {
    const { session } = record;
    if (typeof session.payment_intent === 'string') return this.store.paymentIntents.find(session.payment_intent);
    return insertPaymentIntent(this.store, {
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'eur',
      customer: typeof session.customer === 'string' ? session.customer : null,
      description: record.paymentIntentData.description,
      metadata: record.paymentIntentData.metadata,
      livemode: record.livemode,
      paymentMethodTypes: [methodType],
    });
  }

  private decline(intent: PaymentIntentObject, opts: FailCheckoutOptions): void {
    const type = intent.payment_method_types[0] ?? 'card';
    const method = { id: intent.payment_method ?? stripeIds.paymentMethod(), type };
    intent.status = 'requires_payment_method';
    intent.payment_method = null; // Stripe detaches the failed method; it lives on in last_payment_error
    intent.last_payment_error = paymentError(method, opts);
  }
}

