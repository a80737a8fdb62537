import { PaymentErrorObject } from './stripe-objects';

/** What Stripe puts in `last_payment_error` for the decline codes its test cards produce. */
const DECLINES: Record<string, { code: string; message: string }> = {
  generic_decline: { code: 'card_declined', message: 'Your card was declined.' },
  insufficient_funds: { code: 'card_declined', message: 'Your card has insufficient funds.' },
  authentication_required: {
    code: 'authentication_required',
    message: 'Your card was declined. This transaction requires authentication.',
  },
  lost_card: { code: 'card_declined', message: 'Your card was declined.' },
  stolen_card: { code: 'card_declined', message: 'Your card was declined.' },
  fraudulent: { code: 'card_declined', message: 'Your card was declined.' },
  card_velocity_exceeded: { code: 'card_declined', message: 'Your card was declined.' },
  expired_card: { code: 'expired_card', message: 'Your card has expired.' },
  incorrect_cvc: { code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  processing_error: {
    code: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
  },
};

export function paymentError(
  paymentMethod: PaymentErrorObject['payment_method'] | { id: string; type: string },
  opts: { declineCode?: string; message?: string } = {},
): PaymentErrorObject {
  const declineCode = opts.declineCode ?? 'generic_decline';
  const known = DECLINES[declineCode] ?? { code: 'card_declined', message: 'Your card was declined.' };
  return {
    code: known.code,
    decline_code: declineCode,
    doc_url: `https://stripe.com/docs/error-codes/${known.code.replace(/_/g, '-')}`,
    message: opts.message ?? known.message,
    // A copy: the error records the method as it was when the charge failed.
    payment_method:
      'object' in paymentMethod
        ? structuredClone(paymentMethod)
        : { id: paymentMethod.id, object: 'payment_method', type: paymentMethod.type },
    type: 'card_error',
  };
}

/** Methods whose outcome arrives days later: their sessions complete with payment_status 'unpaid'. */
export const DELAYED_NOTIFICATION_METHODS = new Set([
  'sepa_debit',
  'bacs_debit',
  'au_becs_debit',
  'acss_debit',
  'us_bank_account',
  'boleto',
  'konbini',
  'oxxo',
  'customer_balance',
]);
