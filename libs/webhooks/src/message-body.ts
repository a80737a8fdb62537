import { AppError } from '@app/errors';
import { PartnerEventData, PartnerEventEnvelope, PartnerEventType } from './partner-events';
import { DELIVERY_POLICY } from './retry-schedule';

/** The JSON body of a message, refused here, inside the caller's transaction, rather than failing ten times at the partner. */
export function envelopeOf<T extends PartnerEventType>(type: T, data: PartnerEventData<T>, createdAt: Date): string {
  const envelope: PartnerEventEnvelope<T> = { type, timestamp: createdAt.toISOString(), data };
  const body = JSON.stringify(envelope);
  const size = Buffer.byteLength(body);
  if (size > DELIVERY_POLICY.maxPayloadBytes) {
    throw new AppError(
      'payload_too_large',
      `A ${type} message is ${size} bytes; partner messages are limited to ${DELIVERY_POLICY.maxPayloadBytes} bytes (256 KB).`,
    );
  }
  return body;
}
