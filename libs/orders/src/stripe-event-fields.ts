import type Stripe from 'stripe';
import type { PostalAddress } from '@app/database';

/** The parts of an event's object that routing needs, whatever its type. */
export interface EventSubject {
  metadata: Record<string, string>;
  checkoutSession: Stripe.Checkout.Session | null;
  paymentIntent: Stripe.PaymentIntent | null;
  setupIntent: Stripe.SetupIntent | null;
  subscription: Stripe.Subscription | null;
  invoice: Stripe.Invoice | null;
}

export function subjectOf(event: Stripe.Event): EventSubject {
  const object = event.data.object as { object?: string; metadata?: Record<string, string> | null };
  const as = <T>(name: string) => (object.object === name ? (object as unknown as T) : null);
  const invoice = as<Stripe.Invoice>('invoice');
  return {
    // A Stripe invoice carries our metadata on its subscription's snapshot, not on itself.
    metadata: (invoice ? invoice.parent?.subscription_details?.metadata : object.metadata) ?? {},
    checkoutSession: as<Stripe.Checkout.Session>('checkout.session'),
    paymentIntent: as<Stripe.PaymentIntent>('payment_intent'),
    setupIntent: as<Stripe.SetupIntent>('setup_intent'),
    subscription: as<Stripe.Subscription>('subscription'),
    invoice,
  };
}

export function idOf(ref: string | { id: string } | null | undefined): string | null {
  if (!ref) return null;
  return typeof ref === 'string' ? ref : ref.id;
}

/** What a customer-facing invoice should say about how it was paid. */
export function paymentMethodTypeOf(intent: Stripe.PaymentIntent | null): string | null {
  if (!intent) return null;
  const pm = intent.payment_method;
  if (pm && typeof pm === 'object' && 'type' in pm) return pm.type;
  return intent.payment_method_types?.length === 1 ? intent.payment_method_types[0] : null;
}

export function declineReasonOf(intent: Stripe.PaymentIntent | null): string | null {
  const err = intent?.last_payment_error;
  if (!err) return null;
  return err.decline_code ?? err.code ?? err.message ?? null;
}

/** Stripe's decline code (`insufficient_funds`, `authentication_required`, …), which partners branch on. */
export function declineCodeOf(intent: Stripe.PaymentIntent | null): string | null {
  const err = intent?.last_payment_error;
  return err?.decline_code ?? err?.code ?? null;
}

/** The one payment method a Checkout Session allowed, which is then how it was paid; null when it offered several. */
export function onlyPaymentMethodOf(session: Stripe.Checkout.Session | null): string | null {
  return session?.payment_method_types?.length === 1 ? session.payment_method_types[0] : null;
}

/**
 * The postal address the customer typed on Checkout's page, when Stripe collected a whole one: a street, a city
 * and a country. Stripe may collect only a country and a postal code for a card, which says nothing to print.
 */
export function collectedAddressOf(session: Stripe.Checkout.Session | null): PostalAddress | null {
  const a = session?.customer_details?.address;
  if (!a?.line1?.trim() || !a.city?.trim() || !a.country?.trim()) return null;
  return {
    line1: a.line1.trim(),
    line2: a.line2?.trim() || null,
    // Some countries (Ireland before Eircode, Hong Kong) have none.
    postal_code: a.postal_code?.trim() ?? '',
    city: a.city.trim(),
    country: a.country.trim().toUpperCase(),
  };
}
