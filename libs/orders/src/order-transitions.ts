import type { OrderStatus } from '@app/database';

/**
 * Stripe neither orders nor deduplicates its events, and retries them for
 * days, so every transition is monotonic: a late `pending` never undoes
 * `paid`, and money taken is recorded whatever the order's state.
 */
const ALLOWED: Record<OrderStatus, OrderStatus[]> = {
  pending: ['paid', 'failed', 'expired'],
  // A customer whose first card is declined may pay with another in the same session.
  failed: ['paid', 'expired'],
  expired: ['paid'],
  paid: [],
  // Refunds move an order by amount (see RefundService), never through a payment event.
  partially_refunded: [],
  refunded: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED[from].includes(to);
}
