import { z } from 'zod';
import { PARTNER_EVENT_TYPES } from '@app/webhooks';

const httpUrl = z.string().url().max(2048).refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

export const createEndpointSchema = z.strictObject({
  url: z.string().min(1).max(2048),
  event_types: z
    .array(z.enum(PARTNER_EVENT_TYPES as [string, ...string[]], { message: `must be one of ${PARTNER_EVENT_TYPES.join(', ')}` }))
    .max(50)
    .optional(),
  description: z.string().max(500).nullish(),
});

const lineItem = z.strictObject({
  name: z.string().trim().min(1).max(250),
  quantity: z.number().int().min(1).max(10_000),
  unit_amount: z.number().int().min(0).max(99_999_999),
  vat_rate: z.number().min(0).max(100).multipleOf(0.01).optional(),
});

export const createCheckoutSchema = z
  .strictObject({
    customer: z.strictObject({
      email: z.string().email().max(254),
      name: z.string().trim().min(1).max(200).optional(),
      external_id: z.string().min(1).max(200).optional(),
      // Printed on the invoice; a business buyer adds its company, VAT number and SIREN.
      address: z
        .strictObject({
          line1: z.string().trim().min(1).max(200),
          line2: z.string().trim().max(200).nullish(),
          postal_code: z.string().trim().min(1).max(20),
          city: z.string().trim().min(1).max(100),
          country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as FR'),
        })
        .optional(),
      company: z
        .strictObject({
          name: z.string().trim().min(1).max(200),
          vat_number: z.string().regex(/^[A-Z]{2}[A-Z0-9]{2,13}$/, 'must be an intra-EU VAT number such as FR12345678901').optional(),
          siren: z.string().regex(/^\d{9}$/, 'must be the 9 digits of the SIREN').optional(),
        })
        .optional(),
    }),
    line_items: z.array(lineItem).min(1).max(100),
    currency: z.string().regex(/^[a-z]{3}$/, 'must be a lower-case ISO 4217 code such as eur').default('eur'),
    ui_mode: z.enum(['hosted', 'embedded']).default('hosted'),
    success_url: httpUrl.optional(),
    return_url: httpUrl.optional(),
    cancel_url: httpUrl.optional(),
    partner_order_ref: z.string().min(1).max(200).optional(),
    locale: z.enum(['fr', 'en']).default('fr'),
  })
  .superRefine((v, ctx) => {
    if (v.ui_mode === 'hosted' && !v.success_url) ctx.addIssue({ code: 'custom', path: ['success_url'], message: 'is required for a hosted checkout' });
    if (v.ui_mode === 'embedded' && !v.return_url) ctx.addIssue({ code: 'custom', path: ['return_url'], message: 'is required for an embedded checkout' });
    if (v.ui_mode === 'embedded' && v.success_url) ctx.addIssue({ code: 'custom', path: ['success_url'], message: 'is not used by an embedded checkout; use return_url' });
  });
