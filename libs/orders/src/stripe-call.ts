import Stripe from 'stripe';
import { AppError } from '@app/errors';

/**
 * A Stripe call made for a partner request: Stripe's refusal becomes our `stripe_error` (502) naming what was
 * refused, with Stripe's message, which never holds a secret. Anything else propagates as it is.
 */
export async function stripeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError && !(err instanceof Stripe.errors.StripeCardError)) {
      throw new AppError('stripe_error', `Stripe refused the ${what}: ${err.message}`);
    }
    throw err;
  }
}
