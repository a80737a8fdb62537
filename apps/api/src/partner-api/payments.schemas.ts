import { z } from 'zod';
import { email as emailAddress, text } from '@app/errors';
import { pageQuery } from './partner-queries.schemas';

const httpUrl = text().url().max(2048).refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');
const currency = text().regex(/^[a-z]{3}$/, 'must be a lower-case ISO 4217 code such as eur').default('eur');
const locale = z.enum(['fr', 'en']);
const id = text().min(1).max(100);

const lineItem = z.strictObject({
  name: text().trim().min(1).max(250),
  quantity: z.number().int().min(1).max(10_000),
  unit_amount: z.number().int().min(0).max(99_999_999).describe('minor units; VAT-inclusive unless the partner declared VAT-exclusive prices'),
  vat_rate: z.number().min(0).max(100).multipleOf(0.01).optional().describe("percent; the partner's default rate when omitted"),
});
const recurringLineItem = lineItem.extend({
  recurring: z.strictObject({ interval: z.enum(['month', 'year']) }).optional().describe('subscription mode only: how often the line is charged'),
});
const lineItems = z.array(lineItem).min(1).max(100);

const address = z.strictObject({
  line1: text().trim().min(1).max(200),
  line2: text().trim().max(200).nullish(),
  postal_code: text().trim().min(1).max(20),
  city: text().trim().min(1).max(100),
  country: text().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as FR'),
});
const company = z.strictObject({
  name: text().trim().min(1).max(200),
  vat_number: text().regex(/^[A-Z]{2}[A-Z0-9]{2,13}$/, 'must be an intra-EU VAT number such as FR12345678901').optional(),
  siren: text().regex(/^\d{9}$/, 'must be the 9 digits of the SIREN').optional(),
});
const email = emailAddress();
const name = text().trim().min(1).max(200);
const externalId = text().min(1).max(200);

/** `POST /v1/customers`: the partner's own id makes the call an upsert. */
export const createCustomerSchema = z.strictObject({
  external_id: externalId.describe('your id for this customer; a repeat with the same id updates the same customer'),
  email,
  name: name.optional(),
  address: address.optional().describe('printed on invoices'),
  locale: locale.optional().describe('language of invoices and emails (fr by default)'),
  business: company.optional().describe('a business customer: the company invoiced, its VAT number and SIREN'),
});

/** A customer described inline in a payment call (the checkout's historical shape: `company` for a business). */
const inlineCustomer = z.strictObject({
  email,
  name: name.optional(),
  external_id: externalId.optional(),
  address: address.optional(),
  company: company.optional(),
});

const customerChoice = {
  customer: inlineCustomer.optional().describe('the customer, inline (created or updated); or give customer_id'),
  customer_id: id.optional().describe('cust_… from POST /v1/customers'),
};

function oneCustomer(v: { customer?: unknown; customer_id?: string }, ctx: z.RefinementCtx) {
  if (!v.customer === !v.customer_id) ctx.addIssue({ code: 'custom', path: ['customer_id'], message: 'give either customer_id or customer, not both and not neither' });
}

export const createCheckoutSchema = z
  .strictObject({
    mode: z.enum(['payment', 'setup', 'subscription']).default('payment').describe('payment: pay the basket now; setup: save a card for later charges; subscription: recurring lines'),
    ...customerChoice,
    line_items: z.array(recurringLineItem).min(1).max(100).optional().describe('required in payment and subscription modes; not allowed in setup mode'),
    currency,
    ui_mode: z.enum(['hosted', 'embedded']).default('hosted'),
    success_url: httpUrl.optional(),
    return_url: httpUrl.optional(),
    cancel_url: httpUrl.optional(),
    partner_order_ref: text().min(1).max(200).optional(),
    locale: locale.optional().describe("the customer's locale when omitted (fr by default)"),
  })
  .superRefine((v, ctx) => {
    oneCustomer(v, ctx);
    if (v.ui_mode === 'hosted' && !v.success_url) ctx.addIssue({ code: 'custom', path: ['success_url'], message: 'is required for a hosted checkout' });
    if (v.ui_mode === 'embedded' && !v.return_url) ctx.addIssue({ code: 'custom', path: ['return_url'], message: 'is required for an embedded checkout' });
    if (v.ui_mode === 'embedded' && v.success_url) ctx.addIssue({ code: 'custom', path: ['success_url'], message: 'is not used by an embedded checkout; use return_url' });
    if (v.mode === 'setup' && v.line_items) ctx.addIssue({ code: 'custom', path: ['line_items'], message: 'are not allowed in setup mode: it saves a card without charging' });
    if (v.mode !== 'setup' && !v.line_items) ctx.addIssue({ code: 'custom', path: ['line_items'], message: `are required in ${v.mode} mode` });
    (v.line_items ?? []).forEach((line, i) => {
      if (v.mode === 'payment' && line.recurring) ctx.addIssue({ code: 'custom', path: ['line_items', i, 'recurring'], message: 'is only allowed in subscription mode' });
      if (v.mode === 'subscription' && !line.recurring) ctx.addIssue({ code: 'custom', path: ['line_items', i, 'recurring'], message: 'is required in subscription mode' });
    });
  });

export const createChargeSchema = z.strictObject({
  line_items: lineItems,
  currency,
  description: text().trim().min(1).max(500).optional().describe("shown on the customer's bank statement details and in Stripe"),
  partner_order_ref: text().min(1).max(200).optional(),
});

export const createPaymentIntentSchema = z
  .strictObject({
    ...customerChoice,
    line_items: lineItems,
    currency,
    description: text().trim().min(1).max(500).optional(),
    partner_order_ref: text().min(1).max(200).optional(),
    locale: locale.optional(),
  })
  .superRefine(oneCustomer);

export const updatePaymentIntentSchema = z.strictObject({
  line_items: lineItems.describe('the whole new basket; the amount is computed again from it'),
  description: text().trim().min(1).max(500).optional(),
});

export const listCustomersQuery = z.strictObject({ ...pageQuery, external_id: externalId.optional(), email: email.optional() });

export const listSubscriptionsQuery = z.strictObject({
  ...pageQuery,
  customer_id: id.optional(),
  status: z.enum(['incomplete', 'active', 'past_due', 'unpaid', 'canceled', 'incomplete_expired', 'trialing', 'paused']).optional(),
});

export const cancelSubscriptionSchema = z.strictObject({
  at_period_end: z.boolean().default(false).describe('true: the customer keeps the paid period and is not charged again; false: canceled now'),
});
