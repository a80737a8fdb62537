import type { Environment } from '@app/database';
import type { Claim } from './delivery-claim.repository';
import { dueDeliveriesSql, leaseDeliveriesSql } from './delivery.repository';

/**
 * The claim of "plain" endpoints (circuit closed, no rate limit: nearly every endpoint, nearly all the time) as one
 * statement that counts, plans and leases, sent in the same round trip as the endpoint locks and the commit: no
 * claim transaction stays open while JavaScript plans, so attempt records and other workers' claims no longer
 * queue behind an endpoint lock held across a round trip. Endpoints with a circuit to probe or a rate to pace keep
 * the two-step claim (planClaim in TypeScript, then the write-back of probe and pacing).
 */

/**
 * planClaim's rule for a plain endpoint, in SQL: room left for the endpoint (its max_in_flight minus every
 * worker's live leases, answered-here ones excepted), within the room left in this worker after the endpoints
 * asked before it. `source` (a relation name) has the columns ord, max_in_flight, in_flight, answered_here; `room` is an integer.
 * claim-policy.spec.ts checks it against planClaim on the same cases.
 */
export function plainLimitsSql(source: string, room: number): string {
  if (!Number.isInteger(room)) throw new Error(`Claim room must be an integer: ${room}`);
  // Each endpoint takes least(its free slots, room left); the sum taken so far is then least(room, sum of free slots so far).
  return `SELECT t.*, (least(${room}, t.free_upto) - least(${room}, t.free_upto - t.free))::int AS lim
    FROM (SELECT f.*, sum(f.free) OVER (ORDER BY f.ord) AS free_upto
          FROM (SELECT s.*, greatest(0, s.max_in_flight - greatest(0, s.in_flight - s.answered_here)) AS free FROM ${source} s) f) t`;
}

/**
 * Counts, plans and leases for the plain endpoints among `endpointIds` (already locked by the statement before it,
 * so this statement's snapshot, taken after the locks, counts a claim another worker committed meanwhile).
 * `endpointIds`, `answeredIds`: SQL text[] literals. One row per plain endpoint with no lease, one per leased delivery.
 * @crossTenant the worker claims by endpoint id; each delivery carries its own partner and environment.
 */
export function plainClaimSql(endpointIds: string, answeredIds: string, room: number, leaseMs: number): string {
  return `WITH asked AS (SELECT a.id, a.ord FROM unnest(${endpointIds}) WITH ORDINALITY AS a(id, ord)),
    clock AS MATERIALIZED (SELECT clock_timestamp() AS now),
    live AS (
      SELECT e.id, a.ord, e.max_in_flight, l.in_flight, l.answered_here,
             e.partner_id, e.environment, e.url, e.secret_encrypted, e.previous_secret_encrypted, e.previous_secret_expires_at,
             -- Against statement_timestamp() so the index bounds the scan (see the two-step claim).
             (SELECT min(d.next_attempt_at) FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at > statement_timestamp()) AS next_due
      FROM asked a JOIN endpoints e ON e.id = a.id
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS in_flight, count(*) FILTER (WHERE d.id = ANY(${answeredIds}))::int AS answered_here
        FROM deliveries d WHERE d.endpoint_id = e.id AND d.lease_until > (SELECT now FROM clock) AND d.status = 'pending') l
      WHERE e.enabled AND e.deleted_at IS NULL AND e.circuit_state = 'closed' AND e.rate_limit_per_second IS NULL
    ),
    planned AS (${plainLimitsSql('live', room)}),
    picked AS (
      SELECT x.id FROM planned p CROSS JOIN LATERAL (${dueDeliveriesSql('p.id', '(SELECT now FROM clock)', 'p.lim')}) x WHERE p.lim > 0
    ),
    -- Written by the deliveries' owner (DeliveryRepository).
    leased AS (${leaseDeliveriesSql('picked', '(SELECT now FROM clock)', leaseMs)})
    SELECT p.id AS endpoint_id, p.lim, p.next_due, p.partner_id, p.environment, p.url, p.secret_encrypted, p.previous_secret_encrypted,
           p.previous_secret_expires_at, l.id AS delivery_id, l.message_id, l.attempt_count, m.body, m.type, m.order_id,
           m.partner_id AS message_partner_id, m.environment AS message_environment
    FROM planned p LEFT JOIN (leased l JOIN messages m ON m.id = l.message_id) ON l.endpoint_id = p.id
    ORDER BY p.ord, l.next_attempt_at, l.seq`;
}

/** The rows of plainClaimSql as claims, in the order asked; an endpoint without room (lim 0) gets none, as planClaim's 'full'. */
export function plainClaimsOf(rows: Record<string, any>[]): Claim[] {
  const claims: Claim[] = [];
  for (const r of rows) {
    if (r.lim <= 0) continue;
    let current = claims[claims.length - 1];
    if (current?.endpointId !== r.endpoint_id) {
      // Room left after this claim: make sure the next retry has a wake-up, even if the one that brought us here
      // fired early or was lost (cleared below once the endpoint's room is used up).
      current = { endpointId: r.endpoint_id, endpoint: null, deliveries: [], wakeAt: r.next_due };
      claims.push(current);
    }
    if (r.delivery_id === null) continue;
    current.endpoint ??= {
      id: r.endpoint_id,
      partnerId: r.partner_id,
      environment: r.environment,
      url: r.url,
      secretEncrypted: r.secret_encrypted,
      previousSecretEncrypted: r.previous_secret_encrypted,
      previousSecretExpiresAt: r.previous_secret_expires_at,
    };
    current.deliveries.push({
      id: r.delivery_id,
      messageId: r.message_id,
      attemptsMade: r.attempt_count,
      body: r.body,
      type: r.type,
      orderId: r.order_id,
      partnerId: r.message_partner_id,
      environment: r.message_environment as Environment,
      probe: false,
    });
    if (current.deliveries.length >= r.lim) current.wakeAt = null;
  }
  return claims;
}
