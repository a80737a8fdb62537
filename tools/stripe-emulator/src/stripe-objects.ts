import { Metadata } from './request-params';

/**
 * The wire shapes the emulator serves: the fields of Stripe's documented objects that an integration reads, with the
 * values Stripe gives them. The SDK's own types list every field of every API version, so we keep our own narrower ones.
 */
export interface Address {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface CustomerObject {
  id: string;
  object: 'customer';
  address: Address | null;
  balance: number;
  created: number;
  currency: string | null;
  delinquent: boolean;
  description: string | null;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: { custom_fields: null; default_payment_method: string | null; footer: null };
  livemode: boolean;
  metadata: Metadata;
  name: string | null;
  phone: string | null;
  preferred_locales: string[];
  shipping: null;
  tax_exempt: 'none';
}

export interface ProductObject {
  id: string;
  object: 'product';
  active: boolean;
  created: number;
  description: string | null;
  livemode: boolean;
  metadata: Metadata;
  name: string;
}

export type RecurringInterval = 'day' | 'week' | 'month' | 'year';

export interface PriceObject {
  id: string;
  object: 'price';
  active: boolean;
  billing_scheme: 'per_unit';
  created: number;
  currency: string;
  livemode: boolean;
  metadata: Metadata;
  product: string;
  lookup_key: string | null;
  nickname: string | null;
  recurring: { interval: RecurringInterval; interval_count: number; usage_type: 'licensed' } | null;
  tax_behavior: 'inclusive' | 'exclusive' | 'unspecified';
  type: 'one_time' | 'recurring';
  unit_amount: number;
  unit_amount_decimal: string;
}

export interface LineItemObject {
  id: string;
  object: 'item';
  amount_discount: number;
  amount_subtotal: number;
  amount_tax: number;
  amount_total: number;
  currency: string;
  description: string;
  metadata: Metadata;
  price: PriceObject;
  quantity: number;
}

export interface PaymentErrorObject {
  code: string;
  decline_code?: string;
  doc_url: string;
  message: string;
  /** The whole PaymentMethod when Stripe knows it; a stub for methods the emulator never stored. */
  payment_method: PaymentMethodObject | { id: string; object: 'payment_method'; type: string };
  type: 'card_error';
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'succeeded'
  | 'canceled';

export interface PaymentIntentObject {
  id: string;
  object: 'payment_intent';
  /** What the merchant restricted the intent to (null: automatic payment methods). */
  allowed_payment_method_types: string[] | null;
  amount: number;
  amount_capturable: number;
  amount_received: number;
  automatic_payment_methods: { allow_redirects: 'always'; enabled: true } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: 'automatic_async';
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  last_payment_error: PaymentErrorObject | null;
  latest_charge: string | null;
  livemode: boolean;
  metadata: Metadata;
  next_action: null;
  payment_method: string | null;
  payment_method_types: string[];
  receipt_email: string | null;
  setup_future_usage: 'on_session' | 'off_session' | null;
  status: PaymentIntentStatus;
}

export interface CardDetails {
  brand: string;
  checks: { address_line1_check: null; address_postal_code_check: null; cvc_check: 'pass' };
  country: string;
  display_brand: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
  funding: 'credit' | 'debit';
  last4: string;
}

export interface PaymentMethodObject {
  id: string;
  object: 'payment_method';
  billing_details: { address: Address | null; email: string | null; name: string | null; phone: string | null; tax_id: null };
  card: CardDetails;
  created: number;
  customer: string | null;
  livemode: boolean;
  metadata: Metadata;
  type: 'card';
}

export interface SetupIntentObject {
  id: string;
  object: 'setup_intent';
  application: null;
  automatic_payment_methods: null;
  cancellation_reason: null;
  client_secret: string;
  created: number;
  customer: string | null;
  description: string | null;
  last_setup_error: null;
  latest_attempt: null;
  livemode: boolean;
  mandate: null;
  metadata: Metadata;
  next_action: null;
  on_behalf_of: null;
  payment_method: string | null;
  payment_method_types: string[];
  single_use_mandate: null;
  status: 'succeeded';
  usage: 'off_session' | 'on_session';
}

export interface CustomerDetails {
  address: Address | null;
  email: string | null;
  name: string | null;
  phone: string | null;
  tax_exempt: 'none';
  tax_ids: [];
}

export type SessionMode = 'payment' | 'setup' | 'subscription';
export type SessionStatus = 'open' | 'complete' | 'expired';

export interface CheckoutSessionObject {
  id: string;
  object: 'checkout.session';
  allowed_payment_method_types: string[] | null;
  amount_subtotal: number | null;
  amount_total: number | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  client_secret: string | null;
  created: number;
  currency: string | null;
  customer: string | CustomerObject | null;
  customer_creation: 'if_required' | null;
  customer_details: CustomerDetails | null;
  customer_email: string | null;
  expires_at: number;
  invoice: string | null;
  line_items?: ListObject<LineItemObject>;
  livemode: boolean;
  locale: string | null;
  metadata: Metadata;
  mode: SessionMode;
  payment_intent: string | PaymentIntentObject | null;
  payment_method_types: string[];
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  redirect_on_completion?: string;
  return_url: string | null;
  setup_intent: string | null;
  status: SessionStatus;
  subscription: string | null;
  success_url: string | null;
  total_details: { amount_discount: number; amount_shipping: number; amount_tax: number };
  ui_mode: string;
  url: string | null;
}

export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'canceled';

export interface RefundObject {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: string | null;
  charge: string;
  created: number;
  currency: string;
  livemode: boolean;
  metadata: Metadata;
  payment_intent: string;
  reason: 'duplicate' | 'fraudulent' | 'requested_by_customer' | null;
  receipt_number: string | null;
  source_transfer_reversal: string | null;
  status: RefundStatus;
  transfer_reversal: string | null;
}

/** The Charge as events carry it; since API version 2022-11-15 its `refunds` list is not included. */
export interface ChargeObject {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  customer: string | null;
  livemode: boolean;
  metadata: Metadata;
  paid: boolean;
  payment_intent: string;
  payment_method: string | null;
  payment_method_details: { type: string };
  refunded: boolean;
  status: 'succeeded';
}

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** A Stripe `event` object, as delivered to webhook endpoints and listed by the emulator. */
export interface StripeEventLike {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  /** `previous_attributes`: on `*.updated` events, the old values of the fields that changed. */
  data: { object: object; previous_attributes?: object };
  livemode: boolean;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
