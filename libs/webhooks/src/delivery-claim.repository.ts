import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Endpoint, Environment } from '@app/database';

/** What a send needs about its endpoint; the secret fields feed EndpointService.signingSecretsOf. */
export type ClaimedEndpoint = Pick<Endpoint, 'id' | 'partnerId' | 'environment' | 'url' | 'secretEncrypted' | 'previousSecretEncrypted' | 'previousSecretExpiresAt'>;

export interface ClaimedDelivery {
  id: string;
  messageId: string;
  attemptsMade: number;
  body: string;
  type: string;
  orderId: string | null;
  partnerId: string;
  environment: Environment;
  /** This send is the single probe of an open circuit. */
  probe: boolean;
}

export interface Claim {
  endpoint: ClaimedEndpoint | null;
  deliveries: ClaimedDelivery[];
  /** Nothing (more) may be sent before this time: circuit cool-down or rate limit. */
  wakeAt: Date | null;
}

const NOTHING: Claim = { endpoint: null, deliveries: [], wakeAt: null };

/**
 * Hands out due deliveries of one endpoint under a lease. The endpoint row
 * lock serialises claims for that endpoint across every worker process, which
 * is what makes the in-flight bound, the circuit's single probe and the rate
 * limit hold globally; the lease (not memory) marks a delivery as in flight,
 * so a worker killed mid-send gives its deliveries back when the lease ends.
 */
@Injectable()
export class DeliveryClaimRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * See claim_deliveries() in the delivery-engine migration: one round trip, under the endpoint's row lock.
   * @crossTenant the worker claims by endpoint id; each delivery carries its own partner and environment.
   */
  async claim(endpointId: string, room: number, leaseMs: number): Promise<Claim> {
    const rows: Record<string, any>[] = await this.db.query(`SELECT * FROM claim_deliveries($1, $2, $3)`, [endpointId, room, leaseMs]);
    if (rows.length === 0) return NOTHING;
    const wakeAt: Date | null = rows[0].wake_at;
    if (rows[0].delivery_id === null) return { ...NOTHING, wakeAt };
    const first = rows[0];
    return {
      endpoint: {
        id: endpointId,
        partnerId: first.partner_id,
        environment: first.environment,
        url: first.url,
        secretEncrypted: first.secret_encrypted,
        previousSecretEncrypted: first.previous_secret_encrypted,
        previousSecretExpiresAt: first.previous_secret_expires_at,
      },
      deliveries: rows.map((r) => ({
        id: r.delivery_id,
        messageId: r.message_id,
        attemptsMade: r.attempt_count,
        body: r.body,
        type: r.type,
        orderId: r.order_id,
        partnerId: r.partner_id,
        environment: r.environment as Environment,
        probe: r.probe,
      })),
      wakeAt,
    };
  }

  /**
   * Endpoints with due deliveries that no live lease covers: what Redis should have woken and did not.
   * @crossTenant the sweeper's set-based look over every partner; only endpoint ids leave it, to be woken.
   */
  async dueEndpoints(cutoff: Date, limit = 1000): Promise<string[]> {
    const rows: { endpoint_id: string }[] = await this.db.query(
      `SELECT d.endpoint_id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
       WHERE d.status = 'pending' AND d.next_attempt_at < $1 AND (d.lease_until IS NULL OR d.lease_until < now())
         AND e.enabled AND e.deleted_at IS NULL
       GROUP BY d.endpoint_id LIMIT $2`,
      [cutoff, limit],
    );
    return rows.map((r) => r.endpoint_id);
  }

  /** @crossTenant endpoint ids of deliveries the worker itself just created or claimed, to wake them. */
  async endpointsOfDeliveries(deliveryIds: string[]): Promise<string[]> {
    const rows: { endpoint_id: string }[] = await this.db.query(`SELECT DISTINCT endpoint_id FROM deliveries WHERE id = ANY($1)`, [deliveryIds]);
    return rows.map((r) => r.endpoint_id);
  }
}
