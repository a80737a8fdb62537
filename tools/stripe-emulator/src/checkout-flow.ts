import { EmulatorStore, SessionRecord } from './emulator-store';
import { DELAYED_NOTIFICATION_METHODS, paymentError } from './payment-failures';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';
import { PaymentIntentObject, StripeEventLike, nowSeconds } from './stripe-objects';

export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

/** Builds and stores an event from a snapshot of `object`; delivery is the caller's business. */
export type EventFactory = (type: string, object: object, livemode: boolean, request?: EventRequest) => StripeEventLike;

export interface CompleteCheckoutOptions {
  paymentStatus?: 'paid' | 'unpaid';
  /** Default 'card', or 'sepa_debit' when paymentStatus is 'unpaid'. */
  paymentMethodType?: string;
  /** What the customer types on the payment page; defaults to the session's customer or customer_email. */
  email?: string;
  name?: string;
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
  ) {}

  complete(sessionId: string, opts: CompleteCheckoutOptions = {}): StripeEventLike[] {
    const record = this.openPaymentSession(sessionId, 'complete');
    const paymentStatus = opts.paymentStatus ?? 'paid';
    const methodType = opts.paymentMethodType ?? (paymentStatus === 'unpaid' ? 'sepa_debit' : 'card');
    if (paymentStatus === 'unpaid' && !DELAYED_NOTIFICATION_METHODS.has(methodType)) {
      throw StripeApiError.invalid(
        'payment_method_type',
        `${methodType} payments settle at once; completing unpaid needs a delayed method such as sepa_debit.`,
      );
    }
    const { session, livemode } = record;
    const intent = this.paymentIntentFor(record, methodType);
    intent.payment_method = stripeIds.paymentMethod();
    intent.payment_method_types = [methodType];
    intent.last_payment_error = null;
    const customer = typeof session.customer === 'string' ? this.store.customers.find(session.customer) : null;
    session.status = 'complete';
    session.url = null; // Stripe only gives a URL while the session can still be paid
    session.payment_intent = intent.id;
    session.customer_details = {
      address: customer?.address ?? null,
      email: opts.email ?? session.customer_email ?? customer?.email ?? 'jenny.rosen@example.com',
      name: opts.name ?? customer?.name ?? 'Jenny Rosen',
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    };

    const events: StripeEventLike[] = [];
    if (paymentStatus === 'paid') {
      succeed(intent);
      session.payment_status = 'paid';
      events.push(this.newEvent('payment_intent.succeeded', intent, livemode));
    } else {
      intent.status = 'processing';
      session.payment_status = 'unpaid';
    }
    events.push(this.newEvent('checkout.session.completed', session, livemode));
    return events;
  }

  asyncPaymentSucceeded(sessionId: string): StripeEventLike[] {
    const { record, intent } = this.processingPayment(sessionId);
    succeed(intent);
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
    const record = this.openPaymentSession(sessionId, 'fail a payment on');
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

  private openPaymentSession(sessionId: string, action: string): SessionRecord {
    const record = this.store.sessions.find(sessionId);
    if (record.session.status !== 'open') {
      throw StripeApiError.invalid(
        undefined,
        `Cannot ${action} Checkout Session ${sessionId}: its status is ${record.session.status}.`,
      );
    }
    if (record.session.mode !== 'payment') {
      throw StripeApiError.invalid(
        undefined,
        `The emulator can only ${action} payment-mode Checkout Sessions; ${sessionId} is in ${record.session.mode} mode.`,
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
    const id = stripeIds.paymentIntent();
    return this.store.paymentIntents.insert({
      id,
      object: 'payment_intent',
      amount: session.amount_total ?? 0,
      amount_capturable: 0,
      amount_received: 0,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic_async',
      client_secret: stripeIds.clientSecret(id),
      confirmation_method: 'automatic',
      created: nowSeconds(),
      currency: session.currency ?? 'eur',
      customer: typeof session.customer === 'string' ? session.customer : null,
      description: record.paymentIntentData.description,
      last_payment_error: null,
      latest_charge: null,
      livemode: record.livemode,
      metadata: { ...record.paymentIntentData.metadata },
      payment_method: null,
      payment_method_types: [methodType],
      status: 'requires_payment_method',
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

function succeed(intent: PaymentIntentObject): void {
  intent.status = 'succeeded';
  intent.amount_received = intent.amount;
  // The charge object itself is not emulated; its id is there for code that stores it.
  intent.latest_charge = stripeIds.charge();
  intent.last_payment_error = null;
}
