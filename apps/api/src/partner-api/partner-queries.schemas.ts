import { z } from 'zod';
import { email, isoDate, text } from '@app/errors';
import { endpointLimitFields, eventTypesField } from './partner-api.schemas';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: text().max(200).optional().describe('the next_cursor of the previous page'),
};

export const listMessagesQuery = z.strictObject({
  ...pageQuery,
  type: text().max(100).optional(),
  order_id: text().max(100).optional(),
  created_after: isoDate().optional(),
  created_before: isoDate().optional(),
});

export const listOrdersQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(['pending', 'paid', 'failed', 'expired', 'partially_refunded', 'refunded']).optional(),
  partner_order_ref: text().max(200).optional(),
  customer_email: email().optional(),
  created_after: isoDate().optional(),
  created_before: isoDate().optional(),
});

export const listInvoicesQuery = z.strictObject({
  ...pageQuery,
  order_id: text().max(100).optional(),
  issued_after: isoDate().optional(),
  issued_before: isoDate().optional(),
});

export const attemptsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const resendBody = z.strictObject({ endpoint_id: text().max(100).optional() });

export const recoverBody = z.strictObject({ since: isoDate(), until: isoDate().optional() });

export const sendInvoiceBody = z.strictObject({ to: email().optional() });

export const updateEndpointBody = z
  .strictObject({
    url: text().min(1).max(2048).optional(),
    description: text().max(500).nullish(),
    event_types: eventTypesField,
    enabled: z.boolean().optional(),
    ...endpointLimitFields,
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');
