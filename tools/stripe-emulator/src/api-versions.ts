/**
 * `2026-09-30.endive` replaced the `payment_method_types` parameter of PaymentIntents and Checkout Sessions with
 * `allowed_payment_method_types`; the old name is an unknown parameter from then on. Following the request's
 * Stripe-Version keeps our code honest about which name it must send.
 */
const ENDIVE = '2026-09-30';

export function methodTypesParam(apiVersion: string): 'allowed_payment_method_types' | 'payment_method_types' {
  return apiVersion >= ENDIVE ? 'allowed_payment_method_types' : 'payment_method_types';
}
