import { z } from 'zod';
import { email, text } from '@app/errors';

const address = z.strictObject({
  line1: text().trim().min(1).max(200),
  line2: text().trim().max(200).nullish(),
  postal_code: text().trim().min(1).max(20),
  city: text().trim().min(1).max(100),
  country: text().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as FR'),
});

/** Legal mentions printed on the partner's invoices (all optional; null clears one). */
const legalFields = {
  legal_form: text().trim().min(1).max(60).nullish(),
  share_capital: z.number().int().min(0).max(1e15).nullish().describe('minor units (cents)'),
  rcs_city: text().trim().min(1).max(80).nullish(),
  siret: text().regex(/^\d{14}$/, 'must be the 14 digits of the SIRET').nullish(),
  prices_include_tax: z.boolean().optional(),
  late_penalty_rate: z.number().min(0).max(100).multipleOf(0.01).nullish(),
  vat_exemption_text: text().trim().min(1).max(300).nullish(),
};

export const createPartnerSchema = z.strictObject({
  ...legalFields,
  name: text().trim().min(1).max(120),
  legal_name: text().trim().min(1).max(200),
  address,
  siren: text().regex(/^\d{9}$/, 'must be the 9 digits of the SIREN'),
  vat_number: text().regex(/^[A-Z]{2}[A-Z0-9]{2,13}$/, 'must be an intra-EU VAT number such as FR12345678901').nullish(),
  email: email(),
  invoice_prefix: text().regex(/^[A-Z0-9]{1,10}$/, 'must be 1 to 10 upper-case letters or digits').optional(),
  default_vat_rate: z.number().min(0).max(100).multipleOf(0.01).optional(),
});

export const updatePartnerSchema = z
  .strictObject({
    ...legalFields,
    name: text().trim().min(1).max(120).optional(),
    legal_name: text().trim().min(1).max(200).optional(),
    address: address.optional(),
    siren: text().regex(/^\d{9}$/, 'must be the 9 digits of the SIREN').optional(),
    vat_number: text().regex(/^[A-Z]{2}[A-Z0-9]{2,13}$/, 'must be an intra-EU VAT number such as FR12345678901').nullish(),
    email: email().optional(),
    invoice_prefix: text().regex(/^[A-Z0-9]{1,10}$/, 'must be 1 to 10 upper-case letters or digits').optional(),
    default_vat_rate: z.number().min(0).max(100).multipleOf(0.01).optional(),
    disabled: z.boolean().optional().describe('true: the partner\'s API keys stop working; false: they work again'),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

export type UpdatePartnerInput = z.infer<typeof updatePartnerSchema>;
