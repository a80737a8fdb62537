import type Stripe from 'stripe';

/**
 * The refund events we act on. Stripe sends `charge.refunded` (the charge,
 * whose refunds must be listed) and `refund.created` / `refund.updated` (one
 * refund) for the same refund, in any order: all lead to the same credit note.
 */
export const REFUND_EVENT_TYPES = new Set(['charge.refunded', 'refund.created', 'refund.updated']);

export function isRefundEvent(event: Stripe.Event): boolean {
  return REFUND_EVENT_TYPES.has(event.type);
}

/** The PaymentIntent a charge or refund belongs to: how a refund finds its order (refunds carry no metadata of ours). */
export function refundPaymentIntentOf(event: Stripe.Event): string | null {
  if (!isRefundEvent(event)) return null;
  const object = event.data.object as { payment_intent?: string | { id: string } | null };
  const pi = object.payment_intent;
  if (!pi) return null;
  return typeof pi === 'string' ? pi : pi.id;
}
