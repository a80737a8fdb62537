import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { Customer, OrderLine, Partner, Subscription, TenantScope, Tx } from '@app/database';
import { StripeClient } from '@app/stripe';
import { OutboxService } from '@app/webhooks';
import { CustomerRepository } from './customer.repository';
import { pendingOrderValues, PricedBasket } from './order-draft';
import { OrderRepository } from './order.repository';
import { OrderSettlement } from './order-settlement';
import { declineCodeOf, declineReasonOf, EventSubject, idOf, paymentMethodTypeOf } from './stripe-event-fields';
import { SubscriptionRepository } from './subscription.repository';
import { subscriptionData } from './subscription-view';

const SUBSCRIPTION_EVENTS = new Set(['customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted']);
const INVOICE_EVENTS = new Set(['invoice.paid', 'invoice.payment_failed']);

/** A Stripe invoice of one of our subscriptions, with what its handling needs. */
interface Period {
  tx: Tx;
  partner: Partner;
  scope: TenantScope;
  event: Stripe.Event;
  invoice: Stripe.Invoice;
  subscription: Subscription;
  customer: Customer;
  /** The PaymentIntent behind the invoice: how it was paid, or why not. */
  intent: Stripe.PaymentIntent | null;
}

/** What the partner sees of a subscription: a change in any of these is worth a `subscription.updated`. */
const VISIBLE = ['status', 'currentPeriodStart', 'currentPeriodEnd', 'cancelAtPeriodEnd', 'canceledAt', 'endedAt'] as const;

/**
 * Stripe's subscription lifecycle -> our subscription row and messages; each paid Stripe invoice -> one order and
 * our invoice (ours is the customer's legal invoice, not Stripe's), through the same settlement as any payment.
 */
@Injectable()
export class SubscriptionEventHandler {
  private readonly logger = new Logger(SubscriptionEventHandler.name);

  constructor(
    private readonly stripe: StripeClient,
    private readonly outbox: OutboxService,
    private readonly settlement: OrderSettlement,
    private readonly orders: OrderRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly customers: CustomerRepository,
  ) {}

  handles(event: Stripe.Event): boolean {
    return SUBSCRIPTION_EVENTS.has(event.type) || INVOICE_EVENTS.has(event.type);
  }

  /**
   * The PaymentIntent behind a Stripe invoice, fetched before the transaction: how the period was paid (for our
   * invoice) or why it was not (for the partner). The invoice event itself carries neither.
   */
  async prefetch(scope: TenantScope, subject: EventSubject): Promise<Stripe.PaymentIntent | null> {
    if (!subject.invoice) return null;
    const stripe = this.stripe.for(scope.environment);
    const payments = await stripe.invoicePayments.list({ invoice: subject.invoice.id, limit: 10 });
    const latest = [...payments.data].sort((a, b) => b.created - a.created).find((p) => p.payment?.payment_intent);
    const paymentIntentId = idOf(latest?.payment.payment_intent);
    return paymentIntentId ? stripe.paymentIntents.retrieve(paymentIntentId) : null;
  }

  async apply(
    tx: Tx,
    partner: Partner,
    scope: TenantScope,
    event: Stripe.Event,
    subject: EventSubject,
    intent: Stripe.PaymentIntent | null,
  ): Promise<string | null> {
    const stripeSubscriptionId = subject.subscription?.id ?? idOf(subject.invoice?.parent?.subscription_details?.subscription) ?? null;
    const subscription = await this.subscriptions.forEvent(tx, scope, subject.metadata.subscription_id, stripeSubscriptionId);
    if (!subscription) return `no subscription for ${stripeSubscriptionId ?? event.type}`;
    const customer = await this.customers.get(scope, subscription.customerId, tx);
    if (!customer) throw new Error(`subscription ${subscription.id} has no customer ${subscription.customerId} in its scope`);
    if (subject.subscription) return this.applyState(tx, scope, event, subject.subscription, subscription, customer);
    if (!subscription.stripeSubscriptionId && stripeSubscriptionId) {
      // An invoice event that arrives before its subscription's own events links the two.
      subscription.stripeSubscriptionId = stripeSubscriptionId;
      await this.subscriptions.linkStripeSubscription(tx, scope, subscription.id, stripeSubscriptionId);
    }
    const period: Period = { tx, partner, scope, event, invoice: subject.invoice!, subscription, customer, intent };
    return event.type === 'invoice.paid' ? this.periodPaid(period) : this.periodFailed(period);
  }

  private async applyState(
    tx: Tx,
    scope: TenantScope,
    event: Stripe.Event,
    stripe: Stripe.Subscription,
    subscription: Subscription,
    customer: Customer,
  ): Promise<string | null> {
    // Stripe does not order its events: one older than the state we hold changes nothing.
    if (event.created < subscription.stripeStateAt) return 'an older state than the one recorded';
    const item = stripe.items?.data?.[0];
    const date = (s: number | null | undefined) => (s ? new Date(s * 1000) : null);
    // Its clock counts seconds, so two renewals can share one: a period never goes back, so of two states in the
    // same second the earlier period is the older state.
    const periodStart = date(item?.current_period_start);
    if (event.created === subscription.stripeStateAt && periodStart && subscription.currentPeriodStart && periodStart < subscription.currentPeriodStart) {
      return 'an older period than the one recorded';
    }
    subscription.stripeSubscriptionId = stripe.id;
    const before = VISIBLE.map((k) => String(subscription[k]?.valueOf() ?? null));
    subscription.status = stripe.status;
    subscription.currentPeriodStart = periodStart ?? subscription.currentPeriodStart;
    subscription.currentPeriodEnd = date(item?.current_period_end) ?? subscription.currentPeriodEnd;
    subscription.cancelAtPeriodEnd = stripe.cancel_at_period_end;
    subscription.canceledAt = date(stripe.canceled_at);
    subscription.endedAt = date(stripe.ended_at);
    subscription.stripeStateAt = event.created;
    await this.subscriptions.saveApplied(tx, scope, subscription);
    const changed = VISIBLE.some((k, i) => String(subscription[k]?.valueOf() ?? null) !== before[i]);
    const type = event.type === 'customer.subscription.deleted' ? 'subscription.canceled' : event.type === 'customer.subscription.updated' ? 'subscription.updated' : null;
    // created: the partner hears of the new subscription through its first paid period (`order.paid`).
    if (!type || !changed) return type ? 'nothing the partner sees changed' : null;
    await this.outbox.record(tx, scope, type, null, subscriptionData(subscription, customer), undefined, orderingKeyOf(subscription));
    return null;
  }

  /** One order per Stripe invoice: the unique stripe_invoice_id makes a replayed invoice.paid a no-op. */
  private async periodPaid({ tx, partner, scope, event, invoice, subscription, customer, intent }: Period): Promise<string | null> {
    const line = invoice.lines?.data?.[0];
    const periodStart = new Date((line?.period?.start ?? invoice.period_start) * 1000);
    const periodEnd = new Date((line?.period?.end ?? invoice.period_end) * 1000);
    await this.orders.insertIfAbsent(tx, scope, pendingOrderValues({
      source: 'subscription',
      basket: basketOf(subscription, invoice, partner),
      currency: invoice.currency,
      customer,
      locale: subscription.locale,
      partnerOrderRef: subscription.partnerRef,
      subscriptionId: subscription.id,
      stripeInvoiceId: invoice.id,
      periodStart,
      periodEnd,
    }));
    // By Stripe invoice id within the routed scope, as every order lookup of an event.
    const order = await this.orders.findByKeys(tx, scope, { stripeInvoiceId: invoice.id }, true);
    if (!order) return `no order for Stripe invoice ${invoice.id} in this partner's ${scope.environment}`;
    const paidAt = invoice.status_transitions?.paid_at ?? event.created;
    return this.settlement.markPaid(tx, partner, scope, order, { eventId: event.id, paidAt: new Date(paidAt * 1000), paymentMethodType: paymentMethodTypeOf(intent) });
  }

  private async periodFailed({ tx, scope, invoice, subscription, customer, intent }: Period): Promise<string | null> {
    await this.outbox.record(tx, scope, 'subscription.payment_failed', null, {
      subscription: subscriptionData(subscription, customer),
      stripe_invoice_id: invoice.id,
      amount_due: invoice.amount_due,
      currency: invoice.currency,
      attempt_count: invoice.attempt_count,
      next_payment_attempt: invoice.next_payment_attempt ? new Date(invoice.next_payment_attempt * 1000).toISOString() : null,
      reason: declineReasonOf(intent) ?? 'payment_failed',
      decline_code: declineCodeOf(intent),
    }, undefined, orderingKeyOf(subscription));
    this.logger.log(`Subscription ${subscription.id}: payment of ${invoice.id} failed (attempt ${invoice.attempt_count})`);
    return null;
  }
}

/**
 * The period's lines: the subscription's own, which carry the VAT rates, when Stripe charged their total; otherwise
 * (a price changed on Stripe's side) Stripe's lines, so the invoice always states what was charged.
 */
function basketOf(subscription: Subscription, invoice: Stripe.Invoice, partner: Partner): PricedBasket {
  if (invoice.amount_paid === subscription.amountTotal) {
    return { lines: subscription.lineItems, pricesIncludeTax: subscription.pricesIncludeTax, amountTotal: subscription.amountTotal };
  }
  const stripeLines = invoice.lines?.data ?? [];
  const lines: OrderLine[] = stripeLines.map((l) => {
    const quantity = l.quantity ?? 1;
    const even = l.amount % quantity === 0;
    return {
      name: even ? (l.description ?? 'Abonnement') : `${l.description ?? 'Abonnement'} × ${quantity}`,
      quantity: even ? quantity : 1,
      unit_amount: even ? l.amount / quantity : l.amount,
      vat_rate: partner.defaultVatRate,
      amount_total: l.amount,
    };
  });
  if (lines.reduce((sum, l) => sum + l.amount_total, 0) !== invoice.amount_paid) {
    // Discounts or credits Stripe applied: one line for what was actually paid.
    lines.splice(0, lines.length, { name: 'Abonnement', quantity: 1, unit_amount: invoice.amount_paid, vat_rate: partner.defaultVatRate, amount_total: invoice.amount_paid });
  }
  return { lines, pricesIncludeTax: true, amountTotal: invoice.amount_paid };
}

/**
 * A subscription's lifecycle messages reach each endpoint in the order they were created (a `subscription.updated`
 * never after the `subscription.canceled` that followed it), as an order's messages do.
 */
function orderingKeyOf(subscription: Subscription): string {
  return `subscription:${subscription.id}`;
}
