import type { Client, QueryResult } from 'pg';
import type { Environment } from '@app/database';
import { ClaimPlan, EndpointClaimState, nextRateAt, planClaim } from './claim-policy';
import type { Claim, ClaimedEndpoint, ClaimRequest } from './delivery-claim.repository';
import { dueDeliveriesSql, leaseDeliveriesSql } from './delivery.repository';
import { ENDPOINT_CLAIM_WRITE_BACK_SQL } from './endpoint.repository';

/*
 * The two-step claim of endpoints with a circuit to probe or a rate to pace (the plain ones take plain-claim.repository.ts):
 * lock and count, planClaim() in TypeScript, then lease and commit, with the probe or pacing written back when
 * used. Run by DeliveryClaimRepository on its claim connection, one claim at a time.
 */

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

/** What the claim hands back per endpoint, and the circuit probes / rate pacing to write back. */
function claimsOf(plans: { ep: Record<string, any>; state: EndpointClaimState; plan: ClaimPlan }[], rows: Record<string, any>[], now: Date) {
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
  return { claims, healthChanges };
}

/**
 * The two-step claim, for endpoints whose circuit is not closed or that have a rate limit (see
 * DeliveryClaimRepository.claim), on the claim connection `client`, which it leaves committed.
 * @crossTenant the worker claims by endpoint id; each delivery carries its own partner and environment.
 */
export async function claimPaced(client: Client, asked: ClaimRequest[], room: number, leaseMs: number): Promise<Claim[]> {
  const lit = (v: string) => client.escapeLiteral(v);
  const textArray = (vs: string[]) => `ARRAY[${vs.map(lit).join(',')}]::text[]`;
  const [, , locked, read] = (await client.query(
    `BEGIN; SET LOCAL synchronous_commit = off;
     -- NO KEY UPDATE: transactions inserting deliveries hold KEY SHARE on the endpoint (foreign
     -- key) until they commit; FOR UPDATE would wait for them and can deadlock with them.
     SELECT e.id, e.partner_id, e.environment, e.url, e.secret_encrypted, e.previous_secret_encrypted, e.previous_secret_expires_at,
            e.max_in_flight, e.circuit_state, e.circuit_retry_at, e.rate_limit_per_second::float8 AS rate, e.rate_next_at
     FROM endpoints e WHERE e.id = ANY(${textArray(asked.map((a) => a.endpointId))}) AND e.enabled AND e.deleted_at IS NULL
     ORDER BY e.id FOR NO KEY UPDATE OF e;
     -- Both counts in one pass over the endpoint's live leases (deliveries_leased), so one recorded meanwhile
     -- (lease cleared) is in neither.
     -- next_due against statement_timestamp(), not clock_timestamp(): a volatile bound cannot limit an index scan,
     -- so min() read every pending delivery of the endpoint (measured: ~18,000 rows, 12 ms per endpoint per claim
     -- with a 20,000 backlog). The statements arrive together, so it is the time the claim was sent: one that fell
     -- due during the lock wait comes back as a wake-up in the past, i.e. a pump at once.
     SELECT e.id, clock_timestamp() AS now, live.in_flight, live.answered_here,
            (SELECT min(d.next_attempt_at) FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at > statement_timestamp()) AS next_due
     FROM endpoints e CROSS JOIN LATERAL (
       SELECT count(*)::int AS in_flight, count(*) FILTER (WHERE d.id = ANY(${textArray(asked.flatMap((a) => a.answeredHere))}))::int AS answered_here
       FROM deliveries d WHERE d.endpoint_id = e.id AND d.lease_until > clock_timestamp() AND d.status = 'pending') live
     WHERE e.id = ANY(${textArray(asked.map((a) => a.endpointId))}) AND e.enabled AND e.deleted_at IS NULL`,
  )) as unknown as QueryResult[];
  if (locked.rows.length === 0) {
    await client.query('COMMIT');
    return [];
  }
  const counts = new Map(read.rows.map((r) => [r.id as string, r]));
  const now: Date = read.rows[0].now;
  const byId = new Map(locked.rows.map((ep) => [ep.id as string, ep]));
  // In the order asked, so an endpoint waiting longest for room is served first.
  const plans: { ep: Record<string, any>; state: EndpointClaimState; plan: ClaimPlan }[] = [];
  let left = room;
  for (const a of asked) {
    const ep = byId.get(a.endpointId);
    const count = counts.get(a.endpointId);
    if (!ep || !count) continue;
    const state: EndpointClaimState = {
      maxInFlight: ep.max_in_flight,
      inFlight: count.in_flight,
      answeredHere: count.answered_here,
      circuitState: ep.circuit_state,
      circuitRetryAt: ep.circuit_retry_at,
      rateLimitPerSecond: ep.rate,
      rateNextAt: ep.rate_next_at,
    };
    const plan = planClaim(state, left, now);
    if (plan.kind === 'take') left -= plan.limit;
    plans.push({ ep: { ...ep, next_due: count.next_due }, state, plan });
  }
  const taking = plans.filter((p) => p.plan.kind === 'take');
  // Written back only when used: the circuit's probe, a rate limit's pacing (then the commit waits for the update).
  const mayChangeHealth = taking.some((p) => (p.plan as { probe: boolean }).probe || p.state.rateLimitPerSecond !== null);
  const commitNow = mayChangeHealth ? '' : '; COMMIT';
  let rows: Record<string, any>[] = [];
  if (taking.length === 0) await client.query('COMMIT');
  else {
    const limits = taking.map((p) => (p.plan as { limit: number }).limit);
    if (!limits.every(Number.isInteger)) throw new Error(`Claim limits must be integers: ${limits.join(',')}`);
    const at = `${lit(now.toISOString())}::timestamptz`;
    const result = (await client.query(
      `WITH plan AS (SELECT * FROM unnest(${textArray(taking.map((p) => p.ep.id))}, ARRAY[${limits.join(',')}]::int[]) AS p(endpoint_id, lim)),
       picked AS (
         SELECT x.id FROM plan p CROSS JOIN LATERAL (${dueDeliveriesSql('p.endpoint_id', at, 'p.lim')}) x
       ), leased AS (
         -- Written by the deliveries' owner (DeliveryRepository).
         ${leaseDeliveriesSql('picked', at, leaseMs)}
       )
       SELECT l.id, l.endpoint_id, l.message_id, l.attempt_count, m.body, m.type, m.order_id, m.partner_id, m.environment
       FROM leased l JOIN messages m ON m.id = l.message_id
       ORDER BY l.next_attempt_at, l.seq${commitNow}`,
    )) as unknown as QueryResult | QueryResult[];
    rows = Array.isArray(result) ? result[0].rows : result.rows;
  }
  const { claims, healthChanges } = claimsOf(plans, rows, now);
  if (mayChangeHealth) {
    // Written by the endpoints' owner (EndpointRepository).
    await client.query(
      ENDPOINT_CLAIM_WRITE_BACK_SQL,
      [healthChanges.map((h) => h.id), healthChanges.map((h) => h.probe), healthChanges.map((h) => h.rateAt)],
    );
    await client.query('COMMIT');
  }
  return claims;
}
