import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { newId, type Endpoint, type Environment } from '@app/database';
import { EndpointClaimState, nextRateAt, planClaim } from './claim-policy';
import { dueDeliveriesSql, waitingSql } from './delivery.repository';
import { ENDPOINT_CLAIM_WRITE_BACK_SQL, ENDPOINT_LEASE_BEAT_SQL, ENDPOINT_LEASE_TAKE_SQL } from './endpoint.repository';
import { claimCapSql, plainLimitsSql } from './plain-claim.repository';

/**
 * Claims that may run at once, each on its connection. The pick is a read and each endpoint is in one claim at a
 * time (DeliveryDispatcher), so claims of disjoint endpoints need not wait for each other: with one, 8 busy
 * endpoints were bound by the claim's round trip (~8 ms for ~29 deliveries).
 */
export const CLAIM_CONNECTIONS = 2;

/** What a send needs about its endpoint; the secret fields feed EndpointService.signingSecretsOf. */
export type ClaimedEndpoint = Pick<Endpoint, 'id' | 'partnerId' | 'environment' | 'url' | 'secretEncrypted' | 'previousSecretEncrypted' | 'previousSecretExpiresAt'>;

export interface ClaimedDelivery {
  id: string;
  messageId: string;
  attemptsMade: number;
  /**
   * The message body's UTF-8 bytes, encoded as the claim is read: what the signature and the request take, and off
   * V8's heap while the delivery waits to be sent and recorded. As a string (~2 KB each) it outlived young collections
   * and was promoted: bench:delivery over 200 endpoints, 25,000 deliveries, 162-168 MB promoted against 173-179.
   */
  body: Buffer;
  type: string;
  orderId: string | null;
  partnerId: string;
  environment: Environment;
  /** This send is the single probe of an open circuit. */
  probe: boolean;
}

/** One per endpoint this worker holds the lease of after the claim (an endpoint held by another live worker has none). */
export interface Claim {
  endpointId: string;
  /** Null when nothing was leased. */
  endpoint: ClaimedEndpoint | null;
  deliveries: ClaimedDelivery[];
  /** Nothing (more) may be sent before this time: circuit cool-down, rate limit, or the next retry. */
  wakeAt: Date | null;
  /**
   * Requests that may be open at the endpoint at once: the deliveries beyond the free slots were picked ahead
   * (pickAhead) and wait in the worker for a slot. 0 when nothing was leased.
   */
  maxInFlight: number;
  /**
   * The endpoint may have deliveries picked ahead (circuit closed, no rate limit: pickAhead). When not, a worker
   * drops what it picked ahead before: those were picked while the endpoint looked healthy.
   */
  mayPickAhead: boolean;
  /**
   * Nothing taken because the room asked for ran out on the endpoints before this one: it could have taken some.
   * Its worker asks again when it has room (DeliveryDispatcher), rather than leaving it to the short poll.
   */
  roomRanOut: boolean;
}

/** An endpoint to claim for, with what this worker has sent it and not recorded yet (see planClaim). */
export interface ClaimRequest {
  endpointId: string;
  /** Sent by this worker and not recorded yet: never picked again while held, and counted against max_in_flight. */
  held: string[];
  /** Of those, how many were answered 2xx: their slots are free again. */
  answered: number;
  /** Of those, how many were picked ahead and not sent yet: no slot is theirs (see pickAhead). */
  queued: number;
  /**
   * This worker does not hold the endpoint's lease yet (or may have lost it): the claim takes it first. An endpoint
   * already held is only read: its lease is renewed by the heartbeat, not rewritten by every claim.
   */
  take: boolean;
}

const CLAIM_NOW = '(SELECT now FROM clock)';

/**
 * What claimsOf reads of an endpoint, on the first of its rows only (NULL on the others, one row per delivery):
 * repeated, they were most of the pick's bytes, and pg parsed each again per delivery (five timestamps by
 * postgres-date), ~2-3 µs of the worker's CPU per delivery.
 */
const ENDPOINT_COLUMNS = [
  'in_flight', 'answered_here', 'queued_here', 'partner_id', 'environment', 'url', 'secret_encrypted', 'previous_secret_encrypted',
  'previous_secret_expires_at', 'endpoint_max_in_flight', 'circuit_state', 'circuit_retry_at', 'rate', 'rate_next_at', 'now', 'next_due',
];

/**
 * The claim's pick, for the endpoints asked ($1, with per endpoint $2 held, $3 answered, $4 queued here) that
 * `owner` ($5) holds the lease of: their settings and up to planClaim's limit of due deliveries each (planClaim's
 * rule in SQL: plainLimitsSql over limits with the circuit, rate and pick-ahead caps folded in, within $6 room),
 * except the held ones ($7, their ids joined by commas: see heldIds). A named statement, planned once per
 * connection: sent as text with its arrays written in, PostgreSQL planned it at every claim (~1.5 ms of its CPU, more
 * than the pick itself), and a busy endpoint is claimed for after every few answers.
 */
export const CLAIM_PICK = {
  name: 'delivery_claim_pick',
  text: `WITH asked AS (SELECT a.* FROM unnest($1::text[], $2::int[], $3::int[], $4::int[])
                         WITH ORDINALITY AS a(id, in_flight, answered_here, queued_here, ord)),
         clock AS MATERIALIZED (SELECT clock_timestamp() AS now),
         leased AS (
           SELECT e.id, a.ord, a.in_flight, a.answered_here, a.queued_here, e.partner_id, e.environment, e.url, e.secret_encrypted,
                  e.previous_secret_encrypted, e.previous_secret_expires_at, e.max_in_flight AS endpoint_max_in_flight,
                  e.circuit_state, e.circuit_retry_at, e.rate_limit_per_second::float8 AS rate, e.rate_next_at, ${CLAIM_NOW} AS now,
                  ${claimCapSql('e', 'a', CLAIM_NOW)} AS max_in_flight,
                  -- Against statement_timestamp(), not the clock: a volatile bound cannot limit an index scan. Waiting
                  -- (waitingSql), not status = 'pending': that read deliveries_due, every endpoint's later retries
                  -- filtered down to this one's; this is the first entry of the endpoint's in deliveries_endpoint_waiting.
                  (SELECT min(d.next_attempt_at) FROM deliveries d WHERE d.endpoint_id = e.id AND ${waitingSql('d')} AND d.next_attempt_at > statement_timestamp()) AS next_due
           FROM asked a JOIN endpoints e ON e.id = a.id
           WHERE e.lease_owner = $5::text AND e.lease_until > ${CLAIM_NOW} AND e.enabled AND e.deleted_at IS NULL
         ),
         planned AS (${plainLimitsSql('leased', '$6')})
         SELECT p.id, ${ENDPOINT_COLUMNS.map((c) => `CASE WHEN x.n > 1 THEN NULL ELSE p.${c} END AS ${c}`).join(', ')},
                x.id AS delivery_id, x.message_id, x.attempt_count, m.body, m.type, m.order_id,
                m.partner_id AS message_partner_id, m.environment AS message_environment
         FROM planned p
         LEFT JOIN LATERAL (SELECT due.*, row_number() OVER (ORDER BY due.next_attempt_at, due.seq) AS n
                            FROM (${dueDeliveriesSql('p.id', CLAIM_NOW, 'p.lim', `string_to_array($7::text, ',')`)}) due) x ON true
         LEFT JOIN messages m ON m.id = x.message_id
         ORDER BY p.ord, x.n`,
};

/**
 * Hands out due deliveries under an endpoint lease. One worker process (`owner`, a random id per process) holds an
 * endpoint for a few seconds, renewed on its heartbeat while it has sends there not recorded yet; only the holder
 * picks the endpoint's deliveries, so the in-flight bound, the circuit's single probe and the rate limit are decided
 * from its own memory (planClaim), and picking is a read: no row lock, no write per delivery (the record is a
 * delivery's only write). A worker that dies stops renewing: its endpoints lapse and the next worker to take them
 * re-sends what it had not recorded, with the same webhook-id.
 */
@Injectable()
export class DeliveryClaimRepository implements OnApplicationShutdown {
  /** This process's name on the leases it holds. */
  readonly owner = newId('wkr');
  private heartbeat: Promise<Client> | null = null;
  /** The claim connections, one per claim that may run at once (CLAIM_CONNECTIONS), each running one claim at a time. */
  private readonly claimers: (Promise<Client> | null)[] = Array.from({ length: CLAIM_CONNECTIONS }, () => null);
  private readonly claimQueues: Promise<unknown>[] = Array.from({ length: CLAIM_CONNECTIONS }, () => Promise.resolve());
  private readonly claimsOn: number[] = Array.from({ length: CLAIM_CONNECTIONS }, () => 0);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * One claim for every endpoint asked for, on a connection of its own (it never queues behind the pool): the lease
   * of the endpoints not held yet that are free or already this worker's (ENDPOINT_LEASE_TAKE_SQL; skipped when all
   * are held, as for an endpoint with steady traffic), then the pick (CLAIM_PICK, a named statement), a read for the
   * endpoints now held. planClaim then decides in TypeScript on what came back; a circuit probe or a rate limit's
   * pacing is written back in one more round trip, only when taken.
   * @crossTenant the worker claims by endpoint id; each delivery carries its own partner and environment.
   */
  claim(asked: ClaimRequest[], room: number, leaseMs: number): Promise<Claim[]> {
    if (asked.length === 0 || room <= 0) return Promise.resolve([]);
    // The least busy connection: the dispatcher runs claims of disjoint endpoints at once, at most CLAIM_CONNECTIONS.
    const slot = this.claimsOn.indexOf(Math.min(...this.claimsOn));
    return this.claimOneAtATime(slot, () => this.claimOn(slot, asked, room, leaseMs));
  }

  /** @crossTenant the claim itself (see claim), on claim connection `slot`. */
  private async claimOn(slot: number, asked: ClaimRequest[], room: number, leaseMs: number): Promise<Claim[]> {
    if (!Number.isInteger(room)) throw new Error(`Claim room must be an integer: ${room}`);
    const connecting = (this.claimers[slot] ??= this.connect((c) => (this.claimers[slot] === c ? (this.claimers[slot] = null) : null), 'delivery-claim'));
    const client = await connecting;
    const toTake = asked.filter((a) => a.take).map((a) => a.endpointId);
    try {
      // Written by the endpoints' owner (EndpointRepository). Only for endpoints not held yet: once an endpoint's
      // traffic has it leased, its claims are the pick alone.
      if (toTake.length > 0) await client.query(ENDPOINT_LEASE_TAKE_SQL, [toTake, this.owner, leaseMs]);
      const picked = await client.query({
        name: CLAIM_PICK.name,
        text: CLAIM_PICK.text,
        values: [
          asked.map((a) => a.endpointId),
          asked.map((a) => a.held.length),
          asked.map((a) => a.answered),
          asked.map((a) => a.queued),
          this.owner,
          room,
          heldIds(asked),
        ],
      });
      const { claims, healthChanges } = claimsOf(picked.rows, room);
      // Written by the endpoints' owner (EndpointRepository).
      if (healthChanges.length > 0) {
        await client.query(ENDPOINT_CLAIM_WRITE_BACK_SQL, [healthChanges.map((h) => h.id), healthChanges.map((h) => h.probe), healthChanges.map((h) => h.rateAt)]);
      }
      return claims;
    } catch (err) {
      await client.query('SELECT 1').catch(() => {
        // The connection is unusable: the next claim opens another.
        if (this.claimers[slot] === connecting) this.claimers[slot] = null;
        client.end().catch(() => undefined);
      });
      throw err;
    }
  }

  /** One claim at a time on a claim connection: two transactions cannot share it. */
  private claimOneAtATime<T>(slot: number, work: () => Promise<T>): Promise<T> {
    this.claimsOn[slot]++;
    const run = this.claimQueues[slot].then(work, work).finally(() => this.claimsOn[slot]--);
    this.claimQueues[slot] = run.catch(() => undefined);
    return run;
  }

  /**
   * The heartbeat: renews (or takes back, if free) the leases of endpoints this worker has sends unrecorded at
   * (`unrecorded`: endpoint id -> how many), and lets `idle` go. Returns the endpoints it holds after the beat.
   * @crossTenant by the ids of endpoints this worker itself leased.
   */
  async beat(unrecorded: Map<string, number>, idle: string[], leaseMs: number): Promise<Set<string>> {
    // Its own connection: a heartbeat queued behind a busy pool would let live leases lapse.
    this.heartbeat ??= this.connect((c) => (this.heartbeat === c ? (this.heartbeat = null) : null), 'delivery-heartbeat');
    const client = await this.heartbeat;
    // Written by the endpoints' owner (EndpointRepository).
    const { rows } = await client.query(ENDPOINT_LEASE_BEAT_SQL, [this.owner, [...unrecorded.keys()], [...unrecorded.values()], leaseMs, idle]);
    return new Set(rows.map((r) => r.id as string));
  }

  /** A connection of its own; `forget` drops it where it is kept when the connect fails or it breaks (the next call connects again). */
  private connect(forgetIt: (connecting: Promise<Client>) => void, name: string): Promise<Client> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: name });
    // The engine's own connections: leases are transient (a lost one means a re-send with the same webhook-id), so
    // their commits need not wait for the WAL flush.
    const connecting = client.connect().then(async () => {
      await client.query(`SET synchronous_commit = off`);
      return client;
    });
    const forget = () => {
      forgetIt(connecting);
      client.end().catch(() => undefined);
    };
    client.on('error', forget);
    connecting.catch(forget);
    return connecting;
  }

  async onApplicationShutdown(): Promise<void> {
    const connections = [this.heartbeat, ...this.claimers];
    this.heartbeat = null;
    this.claimers.fill(null);
    await Promise.all(connections.map((c) => c?.then((client) => client.end()).catch(() => undefined)));
  }

}

/**
 * The claim's held deliveries as one text, their ids joined by commas (newId's alphabet has neither comma nor quote):
 * as a text[] pg quoted and escaped each id (two regular expressions apiece), and a claim carries every delivery
 * its endpoints have in flight or picked ahead, up to a few hundred.
 */
function heldIds(asked: ClaimRequest[]): string {
  return asked.map((a) => a.held.join(',')).filter((ids) => ids !== '').join(',');
}

/**
 * The claim's rows (one per held endpoint with no delivery, or one per delivery picked; the endpoint's settings on
 * its first row only, see ENDPOINT_COLUMNS) as claims, planClaim deciding.
 */
function claimsOf(rows: Record<string, any>[], room: number): { claims: Claim[]; healthChanges: { id: string; probe: boolean; rateAt: Date | null }[] } {
  const byEndpoint = new Map<string, Record<string, any>[]>();
  for (const r of rows) {
    const list = byEndpoint.get(r.id);
    if (list) list.push(r);
    else byEndpoint.set(r.id, [r]);
  }
  const claims: Claim[] = [];
  const healthChanges: { id: string; probe: boolean; rateAt: Date | null }[] = [];
  let left = room;
  // In the order asked (the rows' order), so an endpoint waiting longest for room is served first.
  for (const [id, list] of byEndpoint) {
    const ep = list[0];
    const state: EndpointClaimState = {
      maxInFlight: ep.endpoint_max_in_flight,
      inFlight: ep.in_flight,
      answeredHere: ep.answered_here,
      queuedHere: ep.queued_here,
      circuitState: ep.circuit_state,
      circuitRetryAt: ep.circuit_retry_at,
      rateLimitPerSecond: ep.rate,
      rateNextAt: ep.rate_next_at,
    };
    const plan = planClaim(state, left, ep.now);
    const mayPickAhead = state.circuitState === 'closed' && state.rateLimitPerSecond === null;
    if (plan.kind === 'wait') {
      claims.push({ endpointId: id, endpoint: null, deliveries: [], wakeAt: plan.until, maxInFlight: 0, mayPickAhead, roomRanOut: false });
      continue;
    }
    if (plan.kind === 'full') {
      const roomRanOut = left === 0 && planClaim(state, 1, ep.now).kind === 'take';
      claims.push({ endpointId: id, endpoint: null, deliveries: [], wakeAt: null, maxInFlight: 0, mayPickAhead, roomRanOut });
      continue;
    }
    const taken = list.filter((r) => r.delivery_id !== null).slice(0, plan.limit);
    left -= taken.length;
    const endpoint: ClaimedEndpoint = {
      id,
      partnerId: ep.partner_id,
      environment: ep.environment,
      url: ep.url,
      secretEncrypted: ep.secret_encrypted,
      previousSecretEncrypted: ep.previous_secret_encrypted,
      previousSecretExpiresAt: ep.previous_secret_expires_at,
    };
    const deliveries: ClaimedDelivery[] = taken.map((r) => ({
      id: r.delivery_id,
      messageId: r.message_id,
      attemptsMade: r.attempt_count,
      body: Buffer.from(r.body),
      type: r.type,
      orderId: r.order_id,
      partnerId: r.message_partner_id,
      environment: r.message_environment as Environment,
      probe: plan.probe,
    }));
    // Room left: make sure the next retry has a wake-up, even if the one that brought us here fired early or was lost.
    claims.push({
      endpointId: id,
      endpoint: deliveries.length > 0 ? endpoint : null,
      deliveries,
      wakeAt: taken.length < plan.limit ? ep.next_due : null,
      maxInFlight: ep.endpoint_max_in_flight,
      mayPickAhead,
      roomRanOut: false,
    });
    if (taken.length > 0 && (plan.probe || state.rateLimitPerSecond !== null)) {
      healthChanges.push({ id, probe: plan.probe, rateAt: state.rateLimitPerSecond !== null ? nextRateAt(state, taken.length, ep.now) : null });
    }
  }
  return { claims, healthChanges };
}
