import { z } from 'zod';

const isoDate = z.coerce.date({ message: 'must be an ISO 8601 date-time such as 2026-11-21T10:00:00Z' });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
};

export const listMessagesQuery = z.strictObject({
  ...pageQuery,
  type: z.string().max(100).optional(),
  order_id: z.string().max(100).optional(),
  created_after: isoDate.optional(),
  created_before: isoDate.optional(),
});

export const listOrdersQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(['pending', 'paid', 'failed', 'expired', 'partially_refunded', 'refunded']).optional(),
  partner_order_ref: z.string().max(200).optional(),
  customer_email: z.string().email().optional(),
  created_after: isoDate.optional(),
  created_before: isoDate.optional(),
});

export const listInvoicesQuery = z.strictObject({
  ...pageQuery,
  order_id: z.string().max(100).optional(),
  issued_after: isoDate.optional(),
  issued_before: isoDate.optional(),
});

export const attemptsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const resendBody = z.strictObject({ endpoint_id: z.string().max(100).optional() });

export const recoverBody = z.strictObject({ since: isoDate, until: isoDate.optional() });

export const sendInvoiceBody = z.strictObject({ to: z.string().email().max(254).optional() });

export const updateEndpointBody = z
  .strictObject({
    url: z.string().min(1).max(2048).optional(),
    description: z.string().max(500).nullish(),
    event_types: z.array(z.string().max(100)).max(50).optional(),
    enabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');
