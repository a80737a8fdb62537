import { EventFactory, EventRequest } from './checkout-flow';
import { EmulatorStore } from './emulator-store';
import { Metadata } from './request-params';
import { StripeApiError } from './stripe-api-error';
import { stripeIds } from './stripe-ids';
import { ChargeObject, PaymentIntentObject, RefundObject, StripeEventLike, nowSeconds } from './stripe-objects';

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

export interface RefundOptions {
  /** Minor units; default: what is left to refund. */
  amount?: number;
  reason?: RefundObject['reason'];
  metadata?: Metadata;
}

/**
 * Refunding a succeeded payment, full or partial, as Stripe does for cards: the refund succeeds at once, and Stripe
 * sends `charge.refunded` (the charge with its new `amount_refunded`) and `refund.created` (the refund).
 */
export class RefundFlow {
  constructor(
    private readonly store: EmulatorStore,
    private readonly newEvent: EventFactory,
  ) {}

  refund(intent: PaymentIntentObject, opts: RefundOptions = {}, request?: EventRequest): { refund: RefundObject; events: StripeEventLike[] } {
    if (intent.status !== 'succeeded' || !intent.latest_charge) {
      throw StripeApiError.invalid(undefined, `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`);
    }
    const remaining = intent.amount_received - this.refundedAmount(intent.id);
    if (remaining <= 0) {
      throw StripeApiError.invalid(undefined, `Charge ${intent.latest_charge} has already been refunded.`, 'charge_already_refunded');
    }
    const amount = opts.amount ?? remaining;
    if (!Number.isInteger(amount) || amount < 1) throw StripeApiError.invalid('amount', 'Invalid positive integer');
    if (amount > remaining) {
      throw StripeApiError.invalid(
        'amount',
        `Refund amount (${money(amount, intent.currency)}) is greater than unrefunded amount on charge (${money(remaining, intent.currency)})`,
      );
    }
    const refund = this.store.refunds.insert({
      id: stripeIds.refund(),
      object: 'refund',
      amount,
      balance_transaction: null,
      charge: intent.latest_charge,
      created: nowSeconds(),
      currency: intent.currency,
      livemode: intent.livemode,
      metadata: { ...(opts.metadata ?? {}) },
      payment_intent: intent.id,
      reason: opts.reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    });
    const events = [
      this.newEvent('charge.refunded', this.chargeOf(intent), intent.livemode, request),
      this.newEvent('refund.created', refund, intent.livemode, request),
    ];
    return { refund, events };
  }

  /** Refunds of a payment, newest first, as Stripe lists them. */
  refundsOf(intentId: string, livemode: boolean): RefundObject[] {
    return this.store.refunds.list(livemode).filter((r) => r.payment_intent === intentId);
  }

  /** Charges are not stored: this one is rebuilt from its PaymentIntent and refunds whenever an event needs it. */
  chargeOf(intent: PaymentIntentObject): ChargeObject {
    const refunded = this.refundedAmount(intent.id);
    return {
      id: intent.latest_charge!,
      object: 'charge',
      amount: intent.amount,
      amount_captured: intent.amount_received,
      amount_refunded: refunded,
      captured: true,
      created: intent.created,
      currency: intent.currency,
      customer: intent.customer,
      livemode: intent.livemode,
      metadata: { ...intent.metadata },
      paid: true,
      payment_intent: intent.id,
      payment_method: intent.payment_method,
      payment_method_details: { type: intent.payment_method_types[0] ?? 'card' },
      refunded: refunded >= intent.amount_received,
      status: 'succeeded',
    };
  }

  private refundedAmount(intentId: string): number {
    return [...this.store.refunds.list(true), ...this.store.refunds.list(false)]
      .filter((r) => r.payment_intent === intentId && (r.status === 'succeeded' || r.status === 'pending'))
      .reduce((sum, r) => sum + r.amount, 0);
  }
}

function money(minor: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(minor / 100);
}
