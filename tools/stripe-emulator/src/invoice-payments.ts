import { InvoiceObject } from './billing-objects';
import { chargeCard, insertPaymentIntent, paymentOutcomeEvent } from './card-payments';
import { EventFactory } from './checkout-flow';
import { EmulatorStore } from './emulator-store';
import { testCardOf } from './payment-methods';
import { stripeIds } from './stripe-ids';
import { PaymentIntentObject, StripeEventLike } from './stripe-objects';
import { TestCard, checkoutDeclineCodeFor, declineCodeFor } from './test-cards';

/** The description Stripe gives an invoice's PaymentIntent, by the invoice's billing_reason. */
const DESCRIPTIONS: Record<InvoiceObject['billing_reason'], string> = {
  subscription_create: 'Subscription creation',
  subscription_cycle: 'Subscription update',
};

export interface InvoiceChargeOptions {
  /** How the bank answers this attempt; default: the method's own test card. */
  card?: TestCard;
  /** The customer is on Checkout's page and passes 3-D Secure there, so the authentication card goes through. */
  onSession?: boolean;
}

/**
 * The PaymentIntent Stripe creates for a finalized invoice, charged at once to `paymentMethodId`, and the default
 * InvoicePayment linking the two (`open`, then `paid` when the charge goes through). As on Stripe the PaymentIntent
 * carries none of the subscription's metadata: code that needs the subscription finds it through the invoice.
 * Without a method nothing is attempted and the PaymentIntent waits at requires_payment_method.
 */
export function chargeInvoice(
  store: EmulatorStore,
  invoice: InvoiceObject,
  paymentMethodId: string | null,
  at: number,
  opts: InvoiceChargeOptions = {},
): PaymentIntentObject {
  const intent = insertPaymentIntent(store, {
    amount: invoice.amount_due,
    currency: invoice.currency,
    customer: invoice.customer,
    description: DESCRIPTIONS[invoice.billing_reason],
    metadata: {},
    livemode: invoice.livemode,
    paymentMethodTypes: ['card'],
  });
  // A renewal happens at the period boundary, which the one-step test clock may have moved past the real now.
  intent.created = at;
  const link = store.invoicePayments.insert({
    id: stripeIds.invoicePayment(),
    object: 'invoice_payment',
    amount_paid: null,
    amount_requested: invoice.amount_due,
    created: at,
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: true,
    livemode: invoice.livemode,
    payment: { type: 'payment_intent', payment_intent: intent.id },
    status: 'open',
    status_transitions: { canceled_at: null, paid_at: null },
  });
  if (paymentMethodId === null) return intent;
  const pm = store.paymentMethods.find(paymentMethodId);
  const card = opts.card ?? testCardOf(store, pm.id);
  chargeCard(store, intent, pm, opts.onSession ? checkoutDeclineCodeFor(card) : declineCodeFor(card));
  if (intent.status === 'succeeded') {
    link.status = 'paid';
    link.amount_paid = intent.amount_received;
    link.status_transitions.paid_at = at;
  }
  return intent;
}

/**
 * `payment_intent.succeeded` or `payment_intent.payment_failed` for an invoice's charge, which Stripe sends before
 * the invoice's own `invoice.paid` / `invoice.payment_failed`; nothing when no charge was attempted.
 */
export function invoiceChargeEvents(newEvent: EventFactory, intent: PaymentIntentObject | null): StripeEventLike[] {
  if (intent === null || (intent.status !== 'succeeded' && intent.last_payment_error === null)) return [];
  return [paymentOutcomeEvent(newEvent, intent)];
}
