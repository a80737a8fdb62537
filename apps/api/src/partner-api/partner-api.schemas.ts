import { z } from 'zod';
import { text } from '@app/errors';
import { DELIVERY_LIMITS, PARTNER_EVENT_TYPES } from '@app/webhooks';

const { maxInFlight, ratePerSecond } = DELIVERY_LIMITS;

/** Delivery limits a partner sets on its endpoint; the bounds and why are in DELIVERY_LIMITS. */
export const endpointLimitFields = {
  max_in_flight: z
    .number()
    .int()
    .min(maxInFlight.min)
    .max(maxInFlight.max)
    .optional()
    .describe(`how many deliveries to this endpoint may wait for an answer at once (${maxInFlight.min}-${maxInFlight.max}, default ${maxInFlight.default}); 1 delivers one message at a time`),
  rate_limit_per_second: z
    .number()
    .min(ratePerSecond.min)
    .max(ratePerSecond.max)
    .nullable()
    .optional()
    .describe(`at most this many messages per second to this endpoint (${ratePerSecond.min}-${ratePerSecond.max}); null: no limit (the default)`),
};

export const eventTypesField = z
  .array(z.enum(PARTNER_EVENT_TYPES as [string, ...string[]], { message: `must be one of ${PARTNER_EVENT_TYPES.join(', ')}` }))
  .max(50)
  .optional();

export const createEndpointSchema = z.strictObject({
  url: text().min(1).max(2048),
  event_types: eventTypesField,
  description: text().max(500).nullish(),
  ...endpointLimitFields,
});
