import { z } from 'zod';
import { PARTNER_EVENT_TYPES } from '@app/webhooks';

export const createEndpointSchema = z.strictObject({
  url: z.string().min(1).max(2048),
  event_types: z
    .array(z.enum(PARTNER_EVENT_TYPES as [string, ...string[]], { message: `must be one of ${PARTNER_EVENT_TYPES.join(', ')}` }))
    .max(50)
    .optional(),
  description: z.string().max(500).nullish(),
});
