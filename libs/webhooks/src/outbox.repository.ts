import { Injectable } from '@nestjs/common';
import { managerOf, Message, TenantScope, Tx } from '@app/database';

/** The PostgreSQL channel on which a committed delivery's endpoint id is announced (see DeliveryWakeListener). */
export const DELIVERY_DUE_CHANNEL = 'delivery_due';

/** A message about to be written: partner and environment come from the scope. */
export interface OutboxMessage {
  id: string;
  type: string;
  orderId: string | null;
  body: string;
  createdAt: Date;
}

/** The outbox's rows (messages and their deliveries), written inside the caller's transaction. Every method takes the tenant. */
@Injectable()
export class OutboxRepository {
  /**
   * The scope's endpoints subscribed to `type`, oldest first. Disabled endpoints are included: their deliveries
   * wait, and flow in order once the endpoint is enabled again, instead of being lost for the outage.
   */
  async endpointsSubscribed(tx: Tx, scope: TenantScope, type: string): Promise<string[]> {
    const endpoints: { id: string }[] = await managerOf(tx).query(
      `SELECT id FROM endpoints
       WHERE partner_id = $1 AND environment = $2 AND deleted_at IS NULL
         AND (cardinality(event_types) = 0 OR $3 = ANY(event_types))
       ORDER BY created_at`,
      [scope.partnerId, scope.environment, type],
    );
    return endpoints.map((e) => e.id);
  }

  /** False when the message was already recorded (the unique index on messages makes replays harmless). */
  async insertMessage(tx: Tx, scope: TenantScope, message: OutboxMessage): Promise<boolean> {
    const inserted = await managerOf(tx)
      .createQueryBuilder()
      .insert()
      .into(Message)
      .values({ ...message, partnerId: scope.partnerId, environment: scope.environment })
      .orIgnore()
      .returning(['id'])
      .execute();
    return inserted.raw.length > 0;
  }

  /**
   * One pending delivery per endpoint; seq (an identity) gives the creation order that per-order ordering follows.
   * Each endpoint is announced on DELIVERY_DUE_CHANNEL in the same statement: PostgreSQL sends the notification
   * when (and only if) the caller's transaction commits, so the engine wakes as the message becomes visible.
   */
  async insertDeliveries(
    tx: Tx,
    scope: TenantScope,
    delivery: { messageId: string; orderingKey: string | null; createdAt: Date },
    ids: string[],
    endpointIds: string[],
  ): Promise<void> {
    await managerOf(tx).query(
      `WITH inserted AS (
         INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, order_id, status, attempt_count, next_attempt_at, created_at)
         SELECT d.id, $2, d.endpoint_id, $3, $4, 'pending', 0, $5, $5 FROM unnest($1::text[], $6::text[]) WITH ORDINALITY AS d(id, endpoint_id, n) ORDER BY d.n
         RETURNING endpoint_id
       )
       SELECT pg_notify('${DELIVERY_DUE_CHANNEL}', e.endpoint_id) FROM (SELECT DISTINCT endpoint_id FROM inserted) e`,
      [ids, delivery.messageId, scope.partnerId, delivery.orderingKey, delivery.createdAt, endpointIds],
    );
  }
}
