import { z } from 'zod';

/**
 * The payloads partners receive. These schemas are the single definition:
 * the code builds messages from their inferred types, and
 * `docs/webhook-events.schema.json` is generated from them (a test fails when
 * the two drift).
 */
const environment = z.enum(['staging', 'production']);
const isoDate = z.string().describe('ISO 8601 date-time, UTC');

const lineItem = z.object({
  name: z.string(),
  quantity: z.number().int().positive(),
  unit_amount: z.number().int().describe('VAT-inclusive unit price, minor units'),
  vat_rate: z.number().describe('percent'),
  amount_total: z.number().int().describe('quantity × unit_amount, minor units'),
});

const orderCore = {
  id: z.string().describe('ord_…'),
  environment,
  status: z.enum(['pending', 'paid', 'failed', 'expired', 'partially_refunded', 'refunded']),
  partner_order_ref: z.string().nullable(),
  amount_total: z.number().int().describe('minor units, equal to what Stripe charged'),
  currency: z.string().describe('ISO 4217, lower case'),
  customer: z.object({ email: z.string().nullable(), name: z.string().nullable(), stripe_customer_id: z.string().nullable() }),
  line_items: z.array(lineItem),
  source: z
    .enum(['checkout', 'off_session_charge', 'payment_element', 'subscription'])
    .describe('how it was paid for: Checkout, a saved card charged later, the Payment Element, a subscription period'),
  stripe: z.object({ event_id: z.string().nullable(), checkout_session_id: z.string().nullable(), payment_intent_id: z.string().nullable() }),
};

const subscriptionPeriod = z.object({
  id: z.string().describe('sub_…, our subscription id'),
  period_start: isoDate,
  period_end: isoDate,
});

export const orderPaidData = z.object({
  ...orderCore,
  invoice: z.object({ id: z.string(), number: z.string() }),
  paid_at: isoDate,
  subscription: subscriptionPeriod.nullable().describe('set when the order pays one period of a subscription'),
});

export const orderPaymentFailedData = z.object({
  ...orderCore,
  reason: z.string().nullable().describe('Stripe decline code or failure message'),
  decline_code: z.string().nullable().describe("Stripe's decline code: insufficient_funds, authentication_required, …"),
  next_action: z
    .enum(['customer_action_required'])
    .nullable()
    .describe('customer_action_required: a saved card charged off-session was refused; bring the customer back to pay (authenticate or change card)'),
});

export const orderExpiredData = z.object({ ...orderCore });

export const invoiceIssuedData = z.object({
  id: z.string().describe('inv_…'),
  number: z.string(),
  order_id: z.string(),
  amount_total: z.number().int(),
  currency: z.string(),
  pdf_url: z.string().describe('GET with your API key'),
  issued_at: isoDate,
});

const creditNoteRef = z.object({
  id: z.string().describe('cn_…'),
  number: z.string().describe('{prefix}-AV-{YYYY}-{seq}, TEST- first in staging'),
  amount: z.number().int().describe('refunded amount including VAT, minor units; the credit note total'),
  pdf_url: z.string().describe('GET with your API key (409 for a moment while it is rendered)'),
  stripe_refund_id: z.string().describe('re_…'),
});

/** A refund (full or partial) was recorded: the order's new state and the credit note that documents it. */
export const orderRefundedData = z.object({
  order: z.object({ ...orderCore, amount_refunded: z.number().int().describe('all refunds so far, minor units') }),
  credit_note: creditNoteRef,
});

export const creditNoteIssuedData = z.object({
  id: z.string().describe('cn_…'),
  number: z.string(),
  order_id: z.string(),
  invoice: z.object({ id: z.string(), number: z.string() }).describe('the invoice this credit note corrects'),
  amount_total: z.number().int().describe('positive, including VAT, minor units'),
  amount_excluding_tax: z.number().int(),
  amount_tax: z.number().int(),
  currency: z.string(),
  stripe_refund_id: z.string(),
  pdf_url: z.string().describe('GET with your API key'),
  issued_at: isoDate,
});

const customerRef = z.object({
  id: z.string().describe('cust_…'),
  external_id: z.string().nullable().describe('your id for this customer'),
  email: z.string(),
  stripe_customer_id: z.string(),
});

/** A card was saved for charges made later (setup-mode Checkout). */
export const customerPaymentMethodSavedData = z.object({
  customer: customerRef,
  payment_method: z.object({
    id: z.string().describe('pm_…'),
    type: z.string().describe('card, sepa_debit, …'),
    brand: z.string().nullable(),
    last4: z.string().nullable(),
    exp_month: z.number().int().nullable(),
    exp_year: z.number().int().nullable(),
  }),
  setup_intent_id: z.string().describe('seti_…'),
  saved_at: isoDate,
});

const subscriptionCore = z.object({
  id: z.string().describe('sub_…, our id'),
  environment,
  status: z.string().describe('incomplete, active, past_due, unpaid, canceled (Stripe statuses)'),
  customer: customerRef,
  partner_ref: z.string().nullable(),
  line_items: z.array(lineItem),
  amount_total: z.number().int().describe('per period, minor units'),
  currency: z.string(),
  interval: z.enum(['month', 'year']),
  current_period_start: isoDate.nullable(),
  current_period_end: isoDate.nullable(),
  cancel_at_period_end: z.boolean(),
  canceled_at: isoDate.nullable(),
  ended_at: isoDate.nullable(),
  stripe_subscription_id: z.string().nullable(),
});

export const subscriptionUpdatedData = subscriptionCore;
export const subscriptionCanceledData = subscriptionCore;

/** A period's payment failed; Stripe retries it on its own schedule. */
export const subscriptionPaymentFailedData = z.object({
  subscription: subscriptionCore,
  stripe_invoice_id: z.string().describe('in_…, the Stripe invoice that could not be paid (not our legal invoice: that exists only once paid)'),
  amount_due: z.number().int(),
  currency: z.string(),
  attempt_count: z.number().int(),
  next_payment_attempt: isoDate.nullable().describe('when Stripe retries; null when it will not'),
  reason: z.string().nullable(),
  decline_code: z.string().nullable(),
});

export const pingData = z.object({
  endpoint_id: z.string().describe('ep_…: the endpoint being tested'),
  message: z.string(),
});

/** Operational: a message could not be delivered to one of your endpoints after every attempt. */
export const messageAttemptExhaustedData = z.object({
  message_id: z.string().describe('msg_…, the webhook-id of the message that was not delivered'),
  message_type: z.string(),
  order_id: z.string().nullable(),
  endpoint_id: z.string().describe('ep_…, the endpoint that did not accept it'),
  endpoint_url: z.string(),
  attempts: z.number().int().positive(),
  last_status_code: z.number().int().nullable().describe('null when no HTTP answer came (timeout, refused connection)'),
  last_error: z.string(),
  failed_at: isoDate,
});

export const PARTNER_EVENT_SCHEMAS = {
  ping: pingData,
  'order.paid': orderPaidData,
  'order.payment_failed': orderPaymentFailedData,
  'order.expired': orderExpiredData,
  'invoice.issued': invoiceIssuedData,
  'order.refunded': orderRefundedData,
  'credit_note.issued': creditNoteIssuedData,
  'message.attempt.exhausted': messageAttemptExhaustedData,
  'customer.payment_method_saved': customerPaymentMethodSavedData,
  'subscription.updated': subscriptionUpdatedData,
  'subscription.canceled': subscriptionCanceledData,
  'subscription.payment_failed': subscriptionPaymentFailedData,
} as const;

export type PartnerEventType = keyof typeof PARTNER_EVENT_SCHEMAS;
export type PartnerEventData<T extends PartnerEventType> = z.infer<(typeof PARTNER_EVENT_SCHEMAS)[T]>;
export const PARTNER_EVENT_TYPES = Object.keys(PARTNER_EVENT_SCHEMAS) as PartnerEventType[];

/** The JSON body of every webhook. */
export interface PartnerEventEnvelope<T extends PartnerEventType> {
  type: T;
  timestamp: string;
  data: PartnerEventData<T>;
}

/** JSON Schema of every envelope, for the docs. */
export function partnerEventJsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const type of PARTNER_EVENT_TYPES) {
    out[type] = z.toJSONSchema(
      z.object({ type: z.literal(type), timestamp: isoDate, data: PARTNER_EVENT_SCHEMAS[type] }),
    );
  }
  return out;
}
