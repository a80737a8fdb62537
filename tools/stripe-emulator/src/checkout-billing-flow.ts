import { EventFactory } from './checkout-flow';
import { EmulatorStore, SessionRecord } from './emulator-store';
import { paymentError } from './payment-failures';
import { createCardPaymentMethod } from './payment-methods';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';
import { StripeEventLike, nowSeconds } from './stripe-objects';
import { SubscriptionFlow } from './subscription-flow';
import { TestCard, checkoutDeclineCodeFor } from './test-cards';

/** What the customer typed on the payment page, for the new PaymentMethod's billing details. */
export interface CardHolder {
  email: string | null;
  name: string | null;
}

/**
 * Completing setup and subscription sessions: the card the customer enters is saved to the session's customer, then
 * either a SetupIntent records the saved card or a subscription starts with its first invoice paid. The caller marks
 * the session complete and adds `checkout.session.completed`.
 */
export class CheckoutBillingFlow {
  constructor(
    private readonly store: EmulatorStore,
    private readonly newEvent: EventFactory,
    private readonly subscriptions: SubscriptionFlow,
  ) {}

  /**
   * The card is saved for later off-session use. Setting it up succeeds for every test card, the 3-D Secure one
   * included (the customer authenticates on the page); declines only show when it is charged.
   */
  completeSetup(record: SessionRecord, card: TestCard, holder: CardHolder): StripeEventLike[] {
    const customer = this.requireCustomer(record);
    const pm = createCardPaymentMethod(this.store, card, { customer, livemode: record.livemode, ...holder });
    const id = stripeIds.setupIntent();
    const setupIntent = this.store.setupIntents.insert({
      id,
      object: 'setup_intent',
      application: null,
      automatic_payment_methods: null,
      cancellation_reason: null,
      client_secret: stripeIds.clientSecret(id),
      created: nowSeconds(),
      customer,
      description: record.setupIntentData.description,
      last_setup_error: null,
      latest_attempt: null,
      livemode: record.livemode,
      mandate: null,
      metadata: { ...record.setupIntentData.metadata },
      next_action: null,
      on_behalf_of: null,
      payment_method: pm.id,
      payment_method_types: ['card'],
      single_use_mandate: null,
      status: 'succeeded',
      usage: 'off_session',
    });
    record.session.setup_intent = setupIntent.id;
    return [this.newEvent('setup_intent.succeeded', setupIntent, record.livemode)];
  }

  /**
   * A declined card leaves the session open and creates nothing: Stripe's page shows the decline and lets the
   * customer try another card, so the error is thrown rather than turned into events.
   */
  completeSubscription(record: SessionRecord, card: TestCard, holder: CardHolder): StripeEventLike[] {
    const customer = this.requireCustomer(record);
    const declineCode = checkoutDeclineCodeFor(card);
    if (declineCode !== null) {
      const { type: _type, ...error } = paymentError({ id: stripeIds.paymentMethod(), type: 'card' }, { declineCode });
      throw StripeApiError.card(error);
    }
    const pm = createCardPaymentMethod(this.store, card, { customer, livemode: record.livemode, ...holder });
    const { subscription, invoice, events } = this.subscriptions.createFromCheckout(record, customer, pm);
    record.session.subscription = subscription.id;
    record.session.invoice = invoice.id;
    record.session.payment_status = 'paid';
    return events;
  }

  private requireCustomer(record: SessionRecord): string {
    const { session } = record;
    if (typeof session.customer !== 'string') {
      throw StripeApiError.invalid(
        undefined,
        `The emulator completes ${session.mode}-mode Checkout Sessions only when they were created with \`customer\`; ` +
          `${session.id} has none.`,
      );
    }
    return session.customer;
  }
}
