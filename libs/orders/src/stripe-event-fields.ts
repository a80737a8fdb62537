import type Stripe from 'stripe';

/** The parts of an event's object that routing needs, whatever its type. */
export interface EventSubject {
  metadata: Record<string, string>;
  checkoutSession: Stripe.Checkout.Session | null;
  paymentIntent: Stripe.PaymentIntent | null;
}

export function subjectOf(event: Stripe.Event): EventSubject {
  const object = event.data.object as { object?: string; metadata?: Record<string, string> | null };
  return {
    metadata: object.metadata ?? {},
    checkoutSession: object.object === 'checkout.session' ? (object as unknown as Stripe.Checkout.Session) : null,
    paymentIntent: object.object === 'payment_intent' ? (object as unknown as Stripe.PaymentIntent) : null,
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
