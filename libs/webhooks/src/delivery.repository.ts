import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Attempt, Delivery, managerOf, Message, newId, TenantScope, Tx } from '@app/database';

/**
 * Deliveries made pending again (resend, recover) and the one-shot ping, outside the engine's claim and record.
 * Every method takes the tenant: a delivery carries its partner, and its endpoint or message was checked in scope.
 */
@Injectable()
export class DeliveryRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Everything the endpoint has waiting is due now (an endpoint enabled again); returns how many deliveries are pending.
   * @crossTenant by an endpoint id the caller checked in its scope, in the same transaction.
   */
  async makeWaitingDue(tx: Tx, endpointId: string): Promise<number> {
    await managerOf(tx).query(`UPDATE deliveries SET next_attempt_at = now() WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at > now()`, [endpointId]);
    const [{ n }] = await managerOf(tx).query(`SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'pending'`, [endpointId]);
    return n as number;
  }

  message(tx: Tx, scope: TenantScope, id: string): Promise<Message | null> {
    return managerOf(tx).findOneBy(Message, { id, partnerId: scope.partnerId, environment: scope.environment });
  }

  /** The endpoint's deliveries of messages created in [since, until) not delivered yet (failed, or still retrying), oldest first. */
  async undelivered(tx: Tx, scope: TenantScope, endpointId: string, since: Date, until: Date): Promise<string[]> {
    const rows: { id: string }[] = await managerOf(tx).query(
      `SELECT d.id FROM deliveries d JOIN messages m ON m.id = d.message_id
       WHERE d.endpoint_id = $1 AND d.partner_id = $4 AND m.created_at >= $2 AND m.created_at < $3
         AND d.status IN ('failed', 'pending')
       ORDER BY m.created_at, m.id`,
      [endpointId, since, until, scope.partnerId],
    );
    return rows.map((r) => r.id);
  }

  /** The message's delivery to this endpoint, or a new pending one (an endpoint created after the message never had one). */
  async forMessage(tx: Tx, scope: TenantScope, message: Message, endpointId: string): Promise<{ id: string; created: boolean }> {
    const existing = await managerOf(tx).findOneBy(Delivery, { messageId: message.id, endpointId, partnerId: scope.partnerId });
    if (existing) return { id: existing.id, created: false };
    const id = newId('dlv');
    await managerOf(tx).query(
      `INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, status, attempt_count, next_attempt_at, order_id)
       VALUES ($1, $2, $3, $4, 'pending', 0, now(), $5)`,
      [id, message.id, endpointId, scope.partnerId, message.orderId],
    );
    return { id, created: true };
  }

  /** Pending again from attempt one; `orderKey` replaces the per-order key when a recovery must go out in sequence. */
  async makePending(tx: Tx, scope: TenantScope, deliveryId: string, orderKey?: string): Promise<void> {
    await managerOf(tx).query(
      `UPDATE deliveries SET status = 'pending', attempt_count = 0, next_attempt_at = now(), delivered_at = NULL,
         lease_until = NULL, last_error = NULL, failed_reason = NULL, order_id = COALESCE($2, order_id)
       WHERE id = $1 AND partner_id = $3`,
      [deliveryId, orderKey ?? null, scope.partnerId],
    );
  }

  async endpointsOf(scope: TenantScope, deliveryIds: string[]): Promise<string[]> {
    if (deliveryIds.length === 0) return [];
    const rows = await this.db.getRepository(Delivery).find({
      where: deliveryIds.map((id) => ({ id, partnerId: scope.partnerId })),
      select: { id: true, endpointId: true },
    });
    return [...new Set(rows.map((r) => r.endpointId))];
  }

  /** A ping is recorded like any message, with one delivery that the engine never picks up (no next attempt). */
  async insertPing(scope: TenantScope, message: Omit<Message, 'partnerId' | 'environment'>, endpointId: string): Promise<string> {
    const deliveryId = newId('dlv');
    await this.db.transaction(async (tx) => {
      await tx.insert(Message, { ...message, partnerId: scope.partnerId, environment: scope.environment });
      await tx.insert(Delivery, { id: deliveryId, messageId: message.id, endpointId, partnerId: scope.partnerId, status: 'pending', attemptCount: 0, nextAttemptAt: null });
    });
    return deliveryId;
  }

  async recordPingAttempt(scope: TenantScope, attempt: Attempt, ok: boolean): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(Attempt, attempt);
      await tx.update(
        Delivery,
        { id: attempt.deliveryId, partnerId: scope.partnerId },
        { status: ok ? 'delivered' : 'failed', attemptCount: 1, lastAttemptAt: attempt.attemptedAt, deliveredAt: ok ? new Date() : null },
      );
    });
  }
}
