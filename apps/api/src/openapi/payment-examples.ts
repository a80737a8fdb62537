/** Example bodies of the payments API for the OpenAPI reference (documentation only). */
const line = { name: 'Abonnement Atelier', quantity: 1, unit_amount: 1990, vat_rate: 20, amount_total: 1990 };

export const EXAMPLE_CUSTOMER = {
  object: 'customer',
  id: 'cust_Vb8nM2kL4pQ6rS8tU0wX2y',
  external_id: 'user-4821',
  email: 'camille@example.com',
  stripe_customer_id: 'cus_R2d4f6h8j0k2m4',
  name: 'Camille Martin',
  address: { line1: '12 rue des Lilas', line2: null, postal_code: '69003', city: 'Lyon', country: 'FR' },
  locale: 'fr',
  business: null,
  payment_method: { id: 'pm_1QxYz2AbCdEf', type: 'card', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030, saved_at: '2026-11-21T10:00:03.000Z' },
  created_at: '2026-11-21T09:58:41.000Z',
};

export const EXAMPLE_CHARGE = {
  object: 'charge',
  order_id: 'ord_mQbAK6GYT2HwtVRTXVSAD0',
  customer_id: EXAMPLE_CUSTOMER.id,
  payment_intent_id: 'pi_3QxYz2AbCdEf',
  status: 'failed',
  amount_total: 4990,
  currency: 'eur',
  failure: { reason: 'authentication_required', decline_code: 'authentication_required', next_action: 'customer_action_required' },
};

export const EXAMPLE_PAYMENT_INTENT = {
  object: 'payment_intent',
  id: 'pi_3QxYz2AbCdEf',
  order_id: 'ord_mQbAK6GYT2HwtVRTXVSAD0',
  customer_id: EXAMPLE_CUSTOMER.id,
  status: 'requires_payment_method',
  client_secret: 'pi_3QxYz2AbCdEf_secret_k2m4',
  amount_total: 9980,
  currency: 'eur',
  line_items: [{ name: 'Lampe Aurore', quantity: 2, unit_amount: 4990, vat_rate: 20, amount_total: 9980 }],
};

export const EXAMPLE_SUBSCRIPTION = {
  object: 'subscription',
  id: 'sub_Tq3wE5rT7yU9iO1pA3sD5f',
  environment: 'staging',
  status: 'active',
  customer: { id: EXAMPLE_CUSTOMER.id, external_id: 'user-4821', email: 'camille@example.com', stripe_customer_id: 'cus_R2d4f6h8j0k2m4' },
  partner_ref: 'ABO-77',
  line_items: [line],
  amount_total: 1990,
  currency: 'eur',
  interval: 'month',
  current_period_start: '2026-11-21T10:00:00.000Z',
  current_period_end: '2026-12-21T10:00:00.000Z',
  cancel_at_period_end: false,
  canceled_at: null,
  ended_at: null,
  stripe_subscription_id: 'sub_1QxYz2AbCdEf',
  created_at: '2026-11-21T09:58:41.000Z',
};
