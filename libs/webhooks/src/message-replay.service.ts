import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Delivery, Endpoint, Message, newId, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { JobQueue } from '@app/queue';

export interface ReplayResult {
  /** Deliveries scheduled again, in the order they will be sent. */
  deliveryIds: string[];
}

/**
 * Sends messages again, with their original `webhook-id` and body, so a
 * partner that deduplicates on the id stays correct. A replayed delivery is
 * the same row made pending again, with a fresh retry schedule: its earlier
 * attempts stay in its history (the attempts table).
 */
@Injectable()
export class MessageReplayService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queue: JobQueue,
  ) {}

  /** To one endpoint, or to every endpoint of the environment subscribed to the message's type. */
  async resend(scope: TenantScope, messageId: string, endpointId?: string): Promise<ReplayResult> {
    const deliveryIds = await this.db.transaction(async (tx) => {
      const message = await tx.findOneBy(Message, { id: messageId, partnerId: scope.partnerId, environment: scope.environment });
      if (!message) throw AppError.notFound('message', messageId);
      const endpoints = endpointId ? [await this.endpointOf(tx, scope, endpointId)] : await this.subscribed(tx, scope, message.type);
      const ids: string[] = [];
      for (const endpoint of endpoints) ids.push(await this.reschedule(tx, message, endpoint));
      return ids;
    });
    await this.schedule(deliveryIds);
    return { deliveryIds };
  }

  /**
   * Every message of the window not yet delivered to this endpoint (failed,
   * or still waiting on retries), in their original order. A recovery is the
   * partner saying its endpoint is back, so the circuit is closed again too.
   */
  async recover(scope: TenantScope, endpointId: string, since: Date, until = new Date()): Promise<ReplayResult> {
    if (since >= until) throw AppError.validation([{ field: 'since', message: 'must be before until' }]);
    const deliveryIds = await this.db.transaction(async (tx) => {
      const endpoint = await this.endpointOf(tx, scope, endpointId);
      const failed: { id: string }[] = await tx.query(
        `SELECT d.id FROM deliveries d JOIN messages m ON m.id = d.message_id
         WHERE d.endpoint_id = $1 AND m.created_at >= $2 AND m.created_at < $3
           AND d.status IN ('failed', 'pending')
         ORDER BY m.created_at, m.id`,
        [endpoint.id, since, until],
      );
      await tx.query(
        `UPDATE endpoints SET circuit_state = 'closed', circuit_retry_at = NULL, consecutive_failures = 0, failing_since = NULL WHERE id = $1`,
        [endpoint.id],
      );
      // One ordering key for the whole recovery: the engine holds each delivery
      // back until the earlier ones of the same key are settled, so the partner
      // receives the recovered messages one by one, in their original order.
      const stream = newId('recovery');
      for (const { id } of failed) await this.makePending(tx, id, stream);
      return failed.map((f) => f.id);
    });
    await this.schedule(deliveryIds);
    return { deliveryIds };
  }

  private async endpointOf(tx: EntityManager, scope: TenantScope, id: string): Promise<Endpoint> {
    const endpoint = await tx.findOneBy(Endpoint, { id, partnerId: scope.partnerId, environment: scope.environment, deletedAt: IsNull() });
    if (!endpoint) throw AppError.notFound('endpoint', id);
    return endpoint;
  }

  private subscribed(tx: EntityManager, scope: TenantScope, type: string): Promise<Endpoint[]> {
    return tx
      .getRepository(Endpoint)
      .createQueryBuilder('e')
      .where('e.partner_id = :partnerId AND e.environment = :environment AND e.deleted_at IS NULL', scope)
      .andWhere('(cardinality(e.event_types) = 0 OR :type = ANY(e.event_types))', { type })
      .getMany();
  }

  private async reschedule(tx: EntityManager, message: Message, endpoint: Endpoint): Promise<string> {
    const existing = await tx.findOneBy(Delivery, { messageId: message.id, endpointId: endpoint.id });
    if (existing) {
      await this.makePending(tx, existing.id);
      return existing.id;
    }
    // An endpoint created after the message never had a delivery for it.
    const id = newId('dlv');
    await tx.query(
      `INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, status, attempt_count, next_attempt_at, order_id)
       VALUES ($1, $2, $3, $4, 'pending', 0, now(), $5)`,
      [id, message.id, endpoint.id, message.partnerId, message.orderId],
    );
    return id;
  }

  /** Pending again from attempt one; `orderKey` replaces the per-order key when a recovery must go out in sequence. */
  private async makePending(tx: EntityManager, deliveryId: string, orderKey?: string): Promise<void> {
    await tx.query(
      `UPDATE deliveries SET status = 'pending', attempt_count = 0, next_attempt_at = now(), delivered_at = NULL,
         lease_until = NULL, last_error = NULL, failed_reason = NULL, order_id = COALESCE($2, order_id)
       WHERE id = $1`,
      [deliveryId, orderKey ?? null],
    );
  }

  /** Wakes the endpoints concerned; the engine sends what PostgreSQL says is due (the sweeper covers a lost wake). */
  private async schedule(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    const rows = await this.db.getRepository(Delivery).find({ where: deliveryIds.map((id) => ({ id })), select: { id: true, endpointId: true } });
    const at = Date.now();
    await this.queue.tryEnqueueBulk('wake-endpoint', [...new Set(rows.map((r) => r.endpointId))].map((endpointId) => ({ endpointId, at })));
  }
}
