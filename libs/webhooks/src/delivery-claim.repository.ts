import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import type { Endpoint, Environment } from '@app/database';
import { ClaimPlan, EndpointClaimState, nextRateAt, planClaim } from './claim-policy';

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
  endpointId: string;
  /** Null when nothing was leased. */
  endpoint: ClaimedEndpoint | null;
  deliveries: ClaimedDelivery[];
  /** Nothing (more) may be sent before this time: circuit cool-down, rate limit, or the next retry. */
  wakeAt: Date | null;
}

/** An endpoint to claim for, with the ids of this worker's deliveries of it answered 2xx and not recorded yet (see planClaim). */
export interface ClaimRequest {
  endpointId: string;
  answeredHere: string[];
}

function claimedEndpoint(ep: Record<string, any>): ClaimedEndpoint {
  return {
    id: ep.id,
    partnerId: ep.partner_id,
    environment: ep.environment,
    url: ep.url,
    secretEncrypted: ep.secret_encrypted,
    previousSecretEncrypted: ep.previous_secret_encrypted,
    previousSecretExpiresAt: ep.previous_secret_expires_at,
  };
}

/**
 * Hands out due deliveries of one endpoint under a lease. The endpoint row
 * lock serialises claims for that endpoint across every worker process, which
 * is what makes the in-flight bound, the circuit's single probe and the rate
 * limit hold globally; the lease (not memory) marks a delivery as in flight,
 * so a worker killed mid-send gives its deliveries back when the lease ends.
 */
@Injectable()
export class DeliveryClaimRepository implements OnApplicationShutdown {
  private heartbeat: Promise<Client> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * One claim for every endpoint asked for, however many: under the endpoints' row locks (taken in id order, so
   * concurrent claims and records cannot deadlock) it reads their state, lets planClaim() decide for each, and
   * leases all that is allowed in one statement. Leases are transient (a lost one only means a re-send with the
   * same webhook-id), so this transaction skips waiting for the WAL flush: claims are the engine's most frequent commits.
   * @crossTenant the worker claims by endpoint id; each delivery carries its own partner and environment.
   */
  claim(asked: ClaimRequest[], room: number, leaseMs: number): Promise<Claim[]> {
    if (asked.length === 0 || room <= 0) return Promise.resolve([]);
    return this.db.transaction(async (tx) => {
      // NO KEY UPDATE: transactions inserting deliveries hold KEY SHARE on the endpoint (foreign
      // key) until they commit; FOR UPDATE would wait for them and can deadlock with them.
      const endpoints: Record<string, any>[] = await tx.query(
        `SELECT set_config('synchronous_commit', 'off', true) AS _, clock_timestamp() AS now,
                e.id, e.partner_id, e.environment, e.url, e.secret_encrypted, e.previous_secret_encrypted, e.previous_secret_expires_at,
                e.max_in_flight, e.circuit_state, e.circuit_retry_at, e.rate_limit_per_second::float8 AS rate, e.rate_next_at,
                (SELECT count(*)::int FROM deliveries d WHERE d.endpoint_id = e.id AND d.lease_until > clock_timestamp() AND d.status = 'pending') AS in_flight,
                -- Counted against the same rows: one recorded meanwhile (lease cleared) is in neither count.
                (SELECT count(*)::int FROM deliveries d WHERE d.endpoint_id = e.id AND d.lease_until > clock_timestamp() AND d.status = 'pending'
                   AND d.id = ANY($2)) AS answered_here,
                (SELECT min(d.next_attempt_at) FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at > clock_timestamp()) AS next_due
         FROM endpoints e WHERE e.id = ANY($1) AND e.enabled AND e.deleted_at IS NULL ORDER BY e.id FOR NO KEY UPDATE OF e`,
        [asked.map((a) => a.endpointId), asked.flatMap((a) => a.answeredHere)],
      );
      if (endpoints.length === 0) return [];
      const now: Date = endpoints[0].now;
      const byId = new Map(endpoints.map((ep) => [ep.id as string, ep]));
      // In the order asked, so an endpoint waiting longest for room is served first.
      const plans: { ep: Record<string, any>; state: EndpointClaimState; plan: ClaimPlan }[] = [];
      let left = room;
      for (const a of asked) {
        const ep = byId.get(a.endpointId);
        if (!ep) continue;
        const state: EndpointClaimState = {
          maxInFlight: ep.max_in_flight,
          inFlight: ep.in_flight,
          answeredHere: ep.answered_here,
          circuitState: ep.circuit_state,
          circuitRetryAt: ep.circuit_retry_at,
          rateLimitPerSecond: ep.rate,
          rateNextAt: ep.rate_next_at,
        };
        const plan = planClaim(state, left, now);
        if (plan.kind === 'take') left -= plan.limit;
        plans.push({ ep, state, plan });
      }
      const taking = plans.filter((p) => p.plan.kind === 'take');
      const rows: Record<string, any>[] = taking.length === 0 ? [] : await tx.query(
        `WITH plan AS (SELECT * FROM unnest($1::text[], $2::int[]) AS p(endpoint_id, lim)),
         picked AS (
           SELECT x.id FROM plan p CROSS JOIN LATERAL (
             SELECT d.id FROM deliveries d
             WHERE d.endpoint_id = p.endpoint_id AND d.status = 'pending' AND d.next_attempt_at <= $3
               AND (d.lease_until IS NULL OR d.lease_until <= $3)
               -- Ordering: an earlier message of the same order (or subscription) still pending here holds this one back.
               AND (d.order_id IS NULL OR NOT EXISTS (
                 SELECT 1 FROM deliveries o
                 WHERE o.endpoint_id = d.endpoint_id AND o.order_id = d.order_id AND o.status = 'pending' AND o.seq < d.seq))
             ORDER BY d.next_attempt_at, d.seq
             LIMIT p.lim
             FOR UPDATE OF d SKIP LOCKED
           ) x
         ), leased AS (
           UPDATE deliveries d SET lease_until = $3::timestamptz + $4 * interval '1 millisecond'
           FROM picked WHERE d.id = picked.id RETURNING d.id, d.endpoint_id, d.message_id, d.attempt_count, d.next_attempt_at, d.seq
         )
         SELECT l.id, l.endpoint_id, l.message_id, l.attempt_count, m.body, m.type, m.order_id, m.partner_id, m.environment
         FROM leased l JOIN messages m ON m.id = l.message_id
         ORDER BY l.next_attempt_at, l.seq`,
        [taking.map((p) => p.ep.id), taking.map((p) => (p.plan as { limit: number }).limit), now, leaseMs],
      );
      const leasedOf = new Map<string, Record<string, any>[]>();
      for (const r of rows) leasedOf.set(r.endpoint_id, [...(leasedOf.get(r.endpoint_id) ?? []), r]);
      const claims: Claim[] = [];
      const healthChanges: { id: string; probe: boolean; rateAt: Date | null }[] = [];
      for (const { ep, state, plan } of plans) {
        if (plan.kind === 'wait') claims.push({ endpointId: ep.id, endpoint: null, deliveries: [], wakeAt: plan.until });
        if (plan.kind !== 'take') continue;
        const leased = leasedOf.get(ep.id) ?? [];
        // Room left: make sure the next retry has a wake-up, even if the one that brought us here fired early or was lost.
        let wakeAt: Date | null = leased.length < plan.limit ? ep.next_due : null;
        if (leased.length > 0 && (plan.probe || state.rateLimitPerSecond !== null)) {
          const rateAt = state.rateLimitPerSecond !== null ? nextRateAt(state, leased.length, now) : null;
          healthChanges.push({ id: ep.id, probe: plan.probe, rateAt });
          wakeAt = rateAt ?? wakeAt;
        }
        claims.push({
          endpointId: ep.id,
          endpoint: leased.length === 0 ? null : claimedEndpoint(ep),
          deliveries: leased.map((r) => ({
            id: r.id,
            messageId: r.message_id,
            attemptsMade: r.attempt_count,
            body: r.body,
            type: r.type,
            orderId: r.order_id,
            partnerId: r.partner_id,
            environment: r.environment as Environment,
            probe: plan.probe,
          })),
          wakeAt,
        });
      }
      if (healthChanges.length > 0) {
        await tx.query(
          `UPDATE endpoints e SET circuit_state = CASE WHEN v.probe THEN 'half_open' ELSE e.circuit_state END, rate_next_at = coalesce(v.rate_at, e.rate_next_at)
           FROM unnest($1::text[], $2::bool[], $3::timestamptz[]) AS v(id, probe, rate_at) WHERE e.id = v.id`,
          [healthChanges.map((h) => h.id), healthChanges.map((h) => h.probe), healthChanges.map((h) => h.rateAt)],
        );
      }
      return claims;
    });
  }

  /**
   * Endpoints with due deliveries that no live lease covers: what Redis should have woken and did not.
   * @crossTenant the sweeper's set-based look over every partner; only endpoint ids leave it, to be woken.
   */
  async dueEndpoints(cutoff: Date, limit = 1000): Promise<string[]> {
    const rows: { endpoint_id: string }[] = await this.db.query(
      `SELECT d.endpoint_id FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
       -- A lease that ran out is due at once: its worker died (or gave up recording) mid-send.
       WHERE d.status = 'pending' AND ((d.lease_until IS NULL AND d.next_attempt_at < $1) OR d.lease_until < now())
         AND e.enabled AND e.deleted_at IS NULL
       GROUP BY d.endpoint_id LIMIT $2`,
      [cutoff, limit],
    );
    return rows.map((r) => r.endpoint_id);
  }

  /**
   * Extends the leases of deliveries still in the hands of the calling worker; one recorded meanwhile (lease cleared) is left alone.
   * @crossTenant by the ids of deliveries this worker itself claimed.
   */
  async renewLeases(deliveryIds: string[], leaseMs: number): Promise<void> {
    // Its own connection: a heartbeat queued behind a busy pool would let live leases lapse.
    this.heartbeat ??= this.connectHeartbeat();
    const client = await this.heartbeat;
    await client.query(
      // SKIP LOCKED: a row locked now is being recorded (or re-claimed), and waiting for it could deadlock with that batch.
      `UPDATE deliveries SET lease_until = clock_timestamp() + $2 * interval '1 millisecond'
       WHERE id IN (SELECT id FROM deliveries WHERE id = ANY($1) AND status = 'pending' AND lease_until IS NOT NULL FOR NO KEY UPDATE SKIP LOCKED)`,
      [deliveryIds, leaseMs],
    );
  }

  private async connectHeartbeat(): Promise<Client> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'delivery-heartbeat' });
    client.on('error', () => {
      this.heartbeat = null;
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      return client;
    } catch (err) {
      this.heartbeat = null;
      throw err;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const heartbeat = this.heartbeat;
    this.heartbeat = null;
    await heartbeat?.then((c) => c.end()).catch(() => undefined);
  }

  /**
   * Endpoints with a delivery whose lease ran out: its worker died (or gave up recording) mid-send.
   * A short scan: only deliveries in flight carry a lease (deliveries_leased index).
   * @crossTenant only endpoint ids leave it, to be claimed for.
   */
  async endpointsWithLapsedLeases(limit = 100): Promise<string[]> {
    const rows: { endpoint_id: string }[] = await this.db.query(
      `SELECT DISTINCT endpoint_id FROM deliveries WHERE lease_until < now() AND status = 'pending' LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.endpoint_id);
  }

  /** @crossTenant endpoint ids of deliveries the worker itself just created or claimed, to wake them. */
  async endpointsOfDeliveries(deliveryIds: string[]): Promise<string[]> {
    const rows: { endpoint_id: string }[] = await this.db.query(`SELECT DISTINCT endpoint_id FROM deliveries WHERE id = ANY($1)`, [deliveryIds]);
    return rows.map((r) => r.endpoint_id);
  }
}
