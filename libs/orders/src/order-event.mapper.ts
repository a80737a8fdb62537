import type { Invoice, Order } from '@app/database';
import type { PartnerEventData } from '@app/webhooks';

/** The order fields every order message shares. */
export function orderCore(order: Order) {
  return {
    id: order.id,
    environment: order.environment,
    status: order.status,
    partner_order_ref: order.partnerOrderRef,
    amount_total: order.amountTotal,
    currency: order.currency,
    customer: { email: order.customerEmail, name: order.customerName, stripe_customer_id: order.stripeCustomerId },
    line_items: order.lineItems,
    source: order.source,
    stripe: { event_id: order.paidEventId, checkout_session_id: order.checkoutSessionId, payment_intent_id: order.paymentIntentId },
  };
}

export function orderPaidData(order: Order, invoice: Pick<Invoice, 'id' | 'number'>): PartnerEventData<'order.paid'> {
  return {
    ...orderCore(order),
    invoice: { id: invoice.id, number: invoice.number },
    paid_at: (order.paidAt ?? new Date()).toISOString(),
    subscription: subscriptionPeriodOf(order),
  };
}

export function orderPaymentFailedData(order: Order): PartnerEventData<'order.payment_failed'> {
  return { ...orderCore(order), reason: order.failureReason, decline_code: order.declineCode, next_action: order.nextAction };
}

export function orderExpiredData(order: Order): PartnerEventData<'order.expired'> {
  return orderCore(order);
}

/** The order as the partner API returns it. */
export function orderView(order: Order, invoice: Invoice | null) {
  return {
    ...orderCore(order),
    object: 'order',
    failure_reason: order.failureReason,
    decline_code: order.declineCode,
    next_action: order.nextAction,
    customer_id: order.customerId,
    subscription: subscriptionPeriodOf(order),
    amount_refunded: order.amountRefunded,
    locale: order.locale,
    invoice: invoice ? { id: invoice.id, number: invoice.number } : null,
    paid_at: order.paidAt?.toISOString() ?? null,
    created_at: order.createdAt.toISOString(),
  };
}

/** The period a subscription order pays for, or null for any other order. */
function subscriptionPeriodOf(order: Order) {
  if (!order.subscriptionId || !order.periodStart || !order.periodEnd) return null;
  return { id: order.subscriptionId, period_start: order.periodStart.toISOString(), period_end: order.periodEnd.toISOString() };
}
