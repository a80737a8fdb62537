import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message, newId, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { PartnerEventData, PartnerEventEnvelope, PartnerEventType } from './partner-events';
import { DELIVERY_POLICY } from './retry-schedule';

/**
 * A message built and addressed but not yet written, for a caller that writes it in a statement of its own
 * (the paid invoice: number, invoice and announcement in one round trip while the numbering lock is held).
 * `body` may hold a placeholder the statement replaces.
 */
export interface PreparedMessage {
  messageId: string;
  type: PartnerEventType;
  orderId: string | null;
  orderingKey: string | null;
  body: string;
  createdAt: Date;
  endpointIds: string[];
  deliveryIds: string[];
}

/**
 * Writes partner notifications into the outbox inside the caller's
 * transaction, so a message exists if and only if the change it reports was
 * committed. Sending happens later, from the deliveries it creates.
 */
@Injectable()
export class OutboxService {
  /**
   * Records `type` about `orderId` once: a second call for the same pair is a
   * no-op (the unique index on messages makes replays harmless). Returns the
   * ids of the deliveries to schedule. Deliveries with the same ordering key
   * (the order by default) reach an endpoint in creation order; a message
   * about no order may still name one (a subscription's lifecycle).
   */
  async record<T extends PartnerEventType>(
    tx: EntityManager,
    scope: TenantScope,
    type: T,
    orderId: string | null,
    data: PartnerEventData<T>,
    createdAt = new Date(),
    orderingKey: string | null = orderId,
  ): Promise<string[]> {
    const messageId = await this.insertMessage(tx, scope, type, orderId, data, createdAt);
    if (!messageId) return [];
    return this.insertDeliveries(tx, scope, messageId, orderingKey, await this.endpointsFor(tx, scope, type), createdAt);
  }

  /** Everything `record` does short of writing: the body (size-checked), the ids, the endpoints addressed. */
  async prepare<T extends PartnerEventType>(
    tx: EntityManager,
    scope: TenantScope,
    type: T,
    orderId: string | null,
    data: PartnerEventData<T>,
    createdAt = new Date(),
  ): Promise<PreparedMessage> {
    const endpointIds = await this.endpointsFor(tx, scope, type);
    return {
      messageId: newId('msg'),
      type,
      orderId,
      orderingKey: orderId,
      body: envelopeOf(type, data, createdAt),
      createdAt,
      endpointIds,
      deliveryIds: endpointIds.map(() => newId('dlv')),
    };
  }

  /**
   * Disabled endpoints get their deliveries too: they wait, and flow in order
   * once the endpoint is enabled again, instead of being lost for the outage.
   */
  private async endpointsFor(tx: EntityManager, scope: TenantScope, type: PartnerEventType): Promise<string[]> {
    const endpoints: { id: string }[] = await tx.query(
      `SELECT id FROM endpoints
       WHERE partner_id = $1 AND environment = $2 AND deleted_at IS NULL
         AND (cardinality(event_types) = 0 OR $3 = ANY(event_types))
       ORDER BY created_at`,
      [scope.partnerId, scope.environment, type],
    );
    return endpoints.map((e) => e.id);
  }

  /** A message for chosen endpoints only (operational events such as message.attempt.exhausted). */
  async recordFor<T extends PartnerEventType>(
    tx: EntityManager,
    scope: TenantScope,
    type: T,
    data: PartnerEventData<T>,
    endpointIds: string[],
    createdAt = new Date(),
  ): Promise<string[]> {
    if (endpointIds.length === 0) return [];
    const messageId = await this.insertMessage(tx, scope, type, null, data, createdAt);
    return messageId ? this.insertDeliveries(tx, scope, messageId, null, endpointIds, createdAt) : [];
  }

  private async insertMessage<T extends PartnerEventType>(
    tx: EntityManager,
    scope: TenantScope,
    type: T,
    orderId: string | null,
    data: PartnerEventData<T>,
    createdAt: Date,
  ): Promise<string | null> {
    const body = envelopeOf(type, data, createdAt);
    const messageId = newId('msg');
    const inserted = await tx
      .createQueryBuilder()
      .insert()
      .into(Message)
      .values({ id: messageId, partnerId: scope.partnerId, environment: scope.environment, type, orderId, body, createdAt })
      .orIgnore()
      .returning(['id'])
      .execute();
    return inserted.raw.length === 0 ? null : messageId;
  }

  private async insertDeliveries(
    tx: EntityManager,
    scope: TenantScope,
    messageId: string,
    orderingKey: string | null,
    endpointIds: string[],
    createdAt: Date,
  ): Promise<string[]> {
    if (endpointIds.length === 0) return [];
    const ids = endpointIds.map(() => newId('dlv'));
    // seq (an identity) gives the creation order that per-order ordering follows.
    await tx.query(
      `INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, order_id, status, attempt_count, next_attempt_at, created_at)
       SELECT d.id, $2, d.endpoint_id, $3, $4, 'pending', 0, $5, $5 FROM unnest($1::text[], $6::text[]) WITH ORDINALITY AS d(id, endpoint_id, n) ORDER BY d.n`,
      [ids, messageId, scope.partnerId, orderingKey, createdAt, endpointIds],
    );
    return ids;
  }
}

/** The JSON body of a message, refused here, inside the caller's transaction, rather than failing ten times at the partner. */
function envelopeOf<T extends PartnerEventType>(type: T, data: PartnerEventData<T>, createdAt: Date): string {
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
