import { InvoiceObject, SubscriptionItemObject, SubscriptionObject } from './billing-objects';
import { EventFactory, EventRequest } from './checkout-flow';
import { EmulatorStore, SessionRecord } from './emulator-store';
import { invoiceChargeEvents } from './invoice-payments';
import { Metadata, mergeMetadata } from './request-params';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';
import { PaymentMethodObject, StripeEventLike, nowSeconds } from './stripe-objects';
import { InvoiceLineInput, chargedPaymentMethod, insertInvoice, nextPeriodEnd, payInvoice } from './subscription-billing';
import { TestCard } from './test-cards';

export interface RenewSubscriptionOptions {
  /** How the bank answers this renewal's charge; default: the subscription's payment method's own test card. */
  card?: TestCard;
}

export interface SubscriptionChanges {
  cancelAtPeriodEnd?: boolean;
  metadata?: Metadata;
  description?: string | null;
}

/**
 * A subscription's life: created by Checkout with its first invoice paid, renewed one period at a time (the
 * emulator's stand-in for a test clock), changed, and canceled now or at the period's end.
 */
export class SubscriptionFlow {
  constructor(
    private readonly store: EmulatorStore,
    private readonly newEvent: EventFactory,
  ) {}

  /**
   * Checkout's subscription: recurring lines become items starting now; one-time lines are billed once, on the first
   * invoice, through a PaymentIntent. Events: `customer.subscription.created`, `payment_intent.succeeded`,
   * `invoice.paid`; the caller adds the session's completion.
   */
  createFromCheckout(record: SessionRecord, customerId: string, pm: PaymentMethodObject): { subscription: SubscriptionObject; invoice: InvoiceObject; events: StripeEventLike[] } {
    const now = nowSeconds();
    const id = stripeIds.subscription();
    const recurringLines = record.lineItems.filter((line) => line.price.recurring !== null);
    const items: SubscriptionItemObject[] = recurringLines.map((line) => ({
      id: stripeIds.subscriptionItem(),
      object: 'subscription_item',
      created: now,
      current_period_end: nextPeriodEnd(now, line.price.recurring!, now),
      current_period_start: now,
      discounts: [],
      metadata: {},
      price: structuredClone(line.price),
      quantity: line.quantity,
      subscription: id,
      tax_rates: [],
    }));
    const subscription = this.store.subscriptions.insert({
      id,
      object: 'subscription',
      billing_cycle_anchor: now,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      collection_method: 'charge_automatically',
      created: now,
      currency: record.session.currency ?? recurringLines[0].currency,
      customer: customerId,
      days_until_due: null,
      default_payment_method: pm.id,
      description: record.subscriptionData.description,
      discounts: [],
      ended_at: null,
      items: { object: 'list', data: items, has_more: false, url: `/v1/subscription_items?subscription=${id}` },
      latest_invoice: null,
      livemode: record.livemode,
      metadata: { ...record.subscriptionData.metadata },
      pause_collection: null,
      pending_setup_intent: null,
      pending_update: null,
      schedule: null,
      start_date: now,
      status: 'active',
      test_clock: null,
      trial_end: null,
      trial_start: null,
    });
    const lines: InvoiceLineInput[] = record.lineItems.map((line) => {
      const item = items.find((candidate) => candidate.price.id === line.price.id && line.price.recurring !== null);
      const period = item ? { start: item.current_period_start, end: item.current_period_end } : { start: now, end: now };
      return { price: line.price, quantity: line.quantity, period, subscriptionItem: item?.id ?? null };
    });
    const invoice = insertInvoice(this.store, { subscription, billingReason: 'subscription_create', lines, periodStart: now, periodEnd: now, created: now });
    // The customer is on Checkout's page, which has already refused a declining card and passed 3-D Secure.
    const { paymentIntent } = payInvoice(this.store, invoice, pm.id, now, { onSession: true });
    subscription.latest_invoice = invoice.id;
    const events = [
      this.newEvent('customer.subscription.created', subscription, record.livemode),
      ...invoiceChargeEvents(this.newEvent, paymentIntent),
      this.newEvent('invoice.paid', invoice, record.livemode),
    ];
    return { subscription, invoice, events };
  }

  /**
   * The current period ends. A subscription set to cancel at period end ends (`customer.subscription.deleted`);
   * otherwise a `subscription_cycle` invoice bills the next period and is charged through a new PaymentIntent: paid →
   * `payment_intent.succeeded`, `invoice.paid`; declined → the invoice stays open and the subscription goes past_due
   * (`payment_intent.payment_failed`, `invoice.payment_failed`). Either way the items move to the next period and
   * `customer.subscription.updated` follows, with the old values in previous_attributes.
   */
  renew(subscriptionId: string, opts: RenewSubscriptionOptions = {}): StripeEventLike[] {
    const subscription = this.store.subscriptions.find(subscriptionId);
    const { livemode } = subscription;
    if (subscription.status === 'canceled') {
      throw StripeApiError.invalid(undefined, `Subscription ${subscriptionId} is canceled; it has no period left to renew.`);
    }
    const [first] = subscription.items.data;
    const { current_period_start: endingStart, current_period_end: boundary } = first;
    if (subscription.cancel_at_period_end) {
      subscription.status = 'canceled';
      subscription.ended_at = boundary;
      subscription.canceled_at ??= boundary;
      subscription.cancellation_details.reason = 'cancellation_requested';
      return [this.newEvent('customer.subscription.deleted', subscription, livemode)];
    }

    const previous: Partial<SubscriptionObject> = {
      items: structuredClone(subscription.items),
      latest_invoice: subscription.latest_invoice,
    };
    for (const item of subscription.items.data) {
      item.current_period_start = item.current_period_end;
      item.current_period_end = nextPeriodEnd(subscription.billing_cycle_anchor, item.price.recurring!, item.current_period_end);
    }
    const lines = subscription.items.data.map((item) => ({
      price: item.price,
      quantity: item.quantity,
      period: { start: item.current_period_start, end: item.current_period_end },
      subscriptionItem: item.id,
    }));
    const invoice = insertInvoice(this.store, {
      subscription,
      billingReason: 'subscription_cycle',
      lines,
      periodStart: endingStart,
      periodEnd: boundary,
      created: boundary,
    });
    subscription.latest_invoice = invoice.id;
    const charged = chargedPaymentMethod(this.store, subscription);
    const { paid, paymentIntent } = payInvoice(this.store, invoice, charged, boundary, { card: opts.card });
    const status = paid ? 'active' : 'past_due';
    if (subscription.status !== status) {
      previous.status = subscription.status;
      subscription.status = status;
    }
    return [
      ...invoiceChargeEvents(this.newEvent, paymentIntent),
      this.newEvent(paid ? 'invoice.paid' : 'invoice.payment_failed', invoice, livemode),
      this.newEvent('customer.subscription.updated', subscription, livemode, undefined, previous),
    ];
  }

  /**
   * `POST /v1/subscriptions/:id`. Asking to cancel at period end records when it was asked (`canceled_at`) and when
   * it will happen (`cancel_at`), as Stripe does; a canceled subscription only takes new metadata.
   */
  update(subscription: SubscriptionObject, changes: SubscriptionChanges, request: EventRequest): StripeEventLike[] {
    if (subscription.status === 'canceled' && (changes.cancelAtPeriodEnd !== undefined || changes.description !== undefined)) {
      throw StripeApiError.invalid(undefined, 'A canceled subscription can only update its cancellation_details and metadata.');
    }
    const before = structuredClone(subscription);
    if (changes.cancelAtPeriodEnd !== undefined && changes.cancelAtPeriodEnd !== subscription.cancel_at_period_end) {
      const cancel = changes.cancelAtPeriodEnd;
      subscription.cancel_at_period_end = cancel;
      subscription.cancel_at = cancel ? subscription.items.data[0].current_period_end : null;
      subscription.canceled_at = cancel ? nowSeconds() : null;
      subscription.cancellation_details = { ...subscription.cancellation_details, reason: cancel ? 'cancellation_requested' : null };
    }
    if (changes.description !== undefined) subscription.description = changes.description;
    subscription.metadata = mergeMetadata(subscription.metadata, changes.metadata);
    const previous = changedFields(before, subscription);
    if (Object.keys(previous).length === 0) return [];
    return [this.newEvent('customer.subscription.updated', subscription, subscription.livemode, request, previous)];
  }

  /** `DELETE /v1/subscriptions/:id`: ends now, without a final invoice or proration. */
  cancel(
    subscription: SubscriptionObject,
    request: EventRequest,
    details: Pick<SubscriptionObject['cancellation_details'], 'comment' | 'feedback'>,
  ): StripeEventLike[] {
    if (subscription.status === 'canceled') {
      throw StripeApiError.invalid(undefined, 'A canceled subscription can only update its cancellation_details and metadata.');
    }
    const now = nowSeconds();
    subscription.status = 'canceled';
    subscription.canceled_at = now;
    subscription.ended_at = now;
    subscription.cancel_at = null;
    subscription.cancel_at_period_end = false;
    subscription.cancellation_details = { ...details, reason: 'cancellation_requested' };
    return [this.newEvent('customer.subscription.deleted', subscription, subscription.livemode, request)];
  }
}

/** Stripe's `previous_attributes`: the old value of each top-level field that changed. */
function changedFields<T extends object>(before: T, after: T): Partial<T> {
  const previous: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key];
  }
  return previous;
}
