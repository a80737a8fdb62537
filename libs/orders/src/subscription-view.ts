import type { Customer, Subscription } from '@app/database';
import type { PartnerEventData } from '@app/webhooks';
import { customerRef } from './customer-view';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The subscription as messages and the partner API show it. */
export function subscriptionData(subscription: Subscription, customer: Customer): PartnerEventData<'subscription.updated'> {
  return {
    id: subscription.id,
    environment: subscription.environment,
    status: subscription.status,
    customer: customerRef(customer),
    partner_ref: subscription.partnerRef,
    line_items: subscription.lineItems,
    amount_total: subscription.amountTotal,
    currency: subscription.currency,
    interval: subscription.interval,
    current_period_start: iso(subscription.currentPeriodStart),
    current_period_end: iso(subscription.currentPeriodEnd),
    cancel_at_period_end: subscription.cancelAtPeriodEnd,
    canceled_at: iso(subscription.canceledAt),
    ended_at: iso(subscription.endedAt),
    stripe_subscription_id: subscription.stripeSubscriptionId,
  };
}

export function subscriptionView(subscription: Subscription, customer: Customer) {
  return { object: 'subscription' as const, ...subscriptionData(subscription, customer), created_at: subscription.createdAt.toISOString() };
}
