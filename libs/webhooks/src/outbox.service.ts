import { Injectable } from '@nestjs/common';
import { newId, TenantScope, Tx } from '@app/database';
import { OutboxRepository } from './outbox.repository';
import { envelopeOf } from './message-body';
import { PartnerEventData, PartnerEventType } from './partner-events';

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
}

/**
 * Writes partner notifications into the outbox inside the caller's
 * transaction, so a message exists if and only if the change it reports was
 * committed. Sending happens later, from the deliveries it creates.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly rows: OutboxRepository) {}

  /**
   * Records `type` about `orderId` once: a second call for the same pair is a
   * no-op (the unique index on messages makes replays harmless). Returns the
   * ids of the deliveries to schedule. Deliveries with the same ordering key
   * (the order by default) reach an endpoint in creation order; a message
   * about no order may still name one (a subscription's lifecycle).
   */
  async record<T extends PartnerEventType>(
    tx: Tx,
    scope: TenantScope,
    type: T,
    orderId: string | null,
    data: PartnerEventData<T>,
    createdAt = new Date(),
    orderingKey: string | null = orderId,
  ): Promise<string[]> {
    const body = envelopeOf(type, data, createdAt);
    return this.rows.recordMessage(tx, scope, { id: newId('msg'), type, orderId, body, createdAt }, orderingKey);
  }

  /**
   * Everything `record` does short of writing: the body (size-checked) and the ids. The statement that writes it
   * embeds the outbox's SQL (outboxWriteSql), which addresses the endpoints itself: no read beforehand.
   */
  prepare<T extends PartnerEventType>(type: T, orderId: string | null, data: PartnerEventData<T>, createdAt = new Date()): PreparedMessage {
    return { messageId: newId('msg'), type, orderId, orderingKey: orderId, body: envelopeOf(type, data, createdAt), createdAt };
  }
}
