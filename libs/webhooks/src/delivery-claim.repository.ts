import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, QueryResult } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import type { Endpoint, Environment } from '@app/database';
import { NOT_HELD_BACK_BY_ITS_ORDER_SQL, RENEW_LEASES_SQL } from './delivery.repository';
import { claimPaced } from './paced-claim.repository';
import { plainClaimSql, plainClaimsOf } from './plain-claim.repository';

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
  private claimer: Promise<Client> | null = null;
  private claimQueue: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * One claim for every endpoint asked for, however many, on a connection of its own, so it never queues behind the
   * pool. Plain endpoints (circuit closed, no rate limit) take one round trip, the lock, the count, planClaim's rule
   * and the lease sent together (plain-claim.repository.ts). Others then take a transaction of 2 round trips (3 when
   * a circuit probe or a rate limit must be written back; paced-claim.repository.ts):
   *  1. lock the endpoints `FOR NO KEY UPDATE` in id order (concurrent claims and records cannot deadlock), then,
   *     in a statement of its own so that its snapshot is taken after the locks, read their live leases and next
   *     due time: a claim another worker committed while this one waited for the lock is counted, so two workers
   *     cannot overshoot max_in_flight together;
   *  2. planClaim() decides for each endpoint; one statement leases what is allowed, and the transaction commits.
   * Leases are transient (a lost one only means a re-send with the same webhook-id), so this transaction skips
   * waiting for the WAL flush: claims are the engine's most frequent commits. The statements are sent together
   * (simple protocol), hence values written as escaped literals.
   * @crossTenant the worker claims by endpoint id; each delivery carries its own partner and environment.
   */
  claim(asked: ClaimRequest[], room: number, leaseMs: number): Promise<Claim[]> {
    if (asked.length === 0 || room <= 0) return Promise.resolve([]);
    return this.claimOneAtATime(() => this.claimOn(asked, room, leaseMs));
  }

  /** @crossTenant the claim itself (see claim), on the claim connection. */
  private async claimOn(asked: ClaimRequest[], room: number, leaseMs: number): Promise<Claim[]> {
    this.claimer ??= this.connect('claimer', 'delivery-claim');
    const client = await this.claimer;
    const textArray = (vs: string[]) => `ARRAY[${vs.map((v) => client.escapeLiteral(v)).join(',')}]::text[]`;
    try {
      // Plain endpoints in one round trip: lock (id order, see claim), then count, plan and lease in a statement of
      // its own (its snapshot is taken after the locks), and commit.
      const ids = textArray(asked.map((a) => a.endpointId));
      const [, , locked, plain] = (await client.query(
        `BEGIN; SET LOCAL synchronous_commit = off;
         SELECT e.id, e.circuit_state <> 'closed' OR e.rate_limit_per_second IS NOT NULL AS paced
         FROM endpoints e WHERE e.id = ANY(${ids}) AND e.enabled AND e.deleted_at IS NULL
         ORDER BY e.id FOR NO KEY UPDATE OF e;
         ${plainClaimSql(ids, textArray(asked.flatMap((a) => a.answeredHere)), room, leaseMs)};
         COMMIT`,
      )) as unknown as QueryResult[];
      const claims = plainClaimsOf(plain.rows);
      const paced = new Set(locked.rows.filter((r) => r.paced).map((r) => r.id as string));
      if (paced.size === 0) return claims;
      const taken = claims.reduce((n, c) => n + c.deliveries.length, 0);
      return [...claims, ...(await claimPaced(client, asked.filter((a) => paced.has(a.endpointId)), room - taken, leaseMs))];
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        // The connection is unusable: the next claim opens another.
        if (this.claimer) this.claimer = null;
        client.end().catch(() => undefined);
      });
      throw err;
    }
  }

  /** One claim at a time on the claim connection: two transactions cannot share it. */
  private claimOneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.claimQueue.then(work, work);
    this.claimQueue = run.catch(() => undefined);
    return run;
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
    this.heartbeat ??= this.connect('heartbeat', 'delivery-heartbeat');
    const client = await this.heartbeat;
    // Written by the deliveries' owner (DeliveryRepository).
    await client.query(
      RENEW_LEASES_SQL,
      [deliveryIds, leaseMs],
    );
  }

  /** A connection of its own, kept in `field`; a failed connect or a broken connection is forgotten (the next call connects again). */
  private connect(field: 'heartbeat' | 'claimer', name: string): Promise<Client> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: name });
    // The engine's own connections: leases are transient (see claim), so their commits need not wait for the WAL flush.
    const connecting = client.connect().then(async () => {
      await client.query(`SET synchronous_commit = off`);
      return client;
    });
    const forget = () => {
      if (this[field] === connecting) this[field] = null;
      client.end().catch(() => undefined);
    };
    client.on('error', forget);
    connecting.catch(forget);
    return connecting;
  }

  async onApplicationShutdown(): Promise<void> {
    const connections = [this.heartbeat, this.claimer];
    this.heartbeat = this.claimer = null;
    await Promise.all(connections.map((c) => c?.then((client) => client.end()).catch(() => undefined)));
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

  /**
   * Endpoints with a delivery due for more than `graceMs` that no lease covers: one whose announcement was skipped
   * (OutboxRepository) or raced a claim. One index probe per enabled endpoint (deliveries_endpoint_due).
   * @crossTenant only endpoint ids leave it, to be claimed for.
   */
  async endpointsWaiting(graceMs: number, limit = 200): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      // Not an endpoint that waits on purpose (open circuit, rate pacing: their wake-up is scheduled) nor a
      // delivery held back by an earlier one of its order (that one's outcome pumps the endpoint).
      `SELECT e.id FROM endpoints e
       WHERE e.enabled AND e.deleted_at IS NULL AND e.circuit_state = 'closed' AND (e.rate_next_at IS NULL OR e.rate_next_at <= now())
         AND EXISTS (
           SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.lease_until IS NULL
             AND d.next_attempt_at <= now() - $1 * interval '1 millisecond' AND ${NOT_HELD_BACK_BY_ITS_ORDER_SQL})
       LIMIT $2`,
      [graceMs, limit],
    );
    return rows.map((r) => r.id);
  }
}
