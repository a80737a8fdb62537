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
  stripe: z.object({ event_id: z.string().nullable(), checkout_session_id: z.string().nullable(), payment_intent_id: z.string().nullable() }),
};

export const orderPaidData = z.object({
  ...orderCore,
  invoice: z.object({ id: z.string(), number: z.string() }),
  paid_at: isoDate,
});

export const orderPaymentFailedData = z.object({
  ...orderCore,
  reason: z.string().nullable().describe('Stripe decline code or failure message'),
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
