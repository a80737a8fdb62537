/**
 * The claim's pick runs in the same round trip as the endpoint lease, before planClaim can run in TypeScript; so
 * the pick's limits re-state planClaim in SQL (its caps folded into max_in_flight by the claim, see
 * DeliveryClaimRepository), and planClaim then decides on what came back (it may only take fewer).
 */

/**
 * planClaim's rule for a plain endpoint, in SQL: room left for the endpoint (its max_in_flight minus the
 * sends its lease holder has not recorded, answered and picked-ahead ones excepted), within the room left in this worker after the endpoints
 * asked before it. `source` (a relation name) has the columns ord, max_in_flight, in_flight, answered_here, queued_here; `room` is an
 * integer or an integer SQL parameter (`$n`).
 * claim-policy.spec.ts checks it against planClaim on the same cases.
 */
export function plainLimitsSql(source: string, room: number | `$${number}`): string {
  if (typeof room === 'number' && !Number.isInteger(room)) throw new Error(`Claim room must be an integer: ${room}`);
  if (typeof room === 'string' && !/^\$\d+$/.test(room)) throw new Error(`Claim room must be a parameter: ${room}`);
  // Each endpoint takes least(its free slots, room left); the sum taken so far is then least(room, sum of free slots so far).
  const r = `(${room})::bigint`;
  return `SELECT t.*, (least(${r}, t.free_upto) - least(${r}, t.free_upto - t.free))::int AS lim
    FROM (SELECT f.*, sum(f.free) OVER (ORDER BY f.ord) AS free_upto
          FROM (SELECT s.*, greatest(0, s.max_in_flight - greatest(0, s.in_flight - s.answered_here - s.queued_here)) AS free FROM ${source} s) f) t`;
}

/**
 * planClaim's caps (max_in_flight, the circuit's single probe, the rate limit's tenth of a second, a wait) and its
 * pick-ahead (pickAhead) as the
 * max_in_flight column plainLimitsSql reads: the busy slots plus what may go now. `e` has the endpoint's columns
 * max_in_flight, circuit_state, circuit_retry_at, rate_limit_per_second, rate_next_at; `a` has in_flight,
 * answered_here and queued_here; `now` is a timestamptz expression. test/delivery-claim-caps.int-spec.ts checks it against planClaim.
 */
export function claimCapSql(e: string, a: string, now: string): string {
  const busy = `greatest(0, ${a}.in_flight - ${a}.answered_here - ${a}.queued_here)`;
  return `${busy} + CASE
      WHEN ${e}.circuit_state <> 'closed' AND (${a}.in_flight > 0 OR (${e}.circuit_state = 'open' AND ${e}.circuit_retry_at > ${now})) THEN 0
      WHEN ${e}.rate_limit_per_second IS NOT NULL AND ${e}.rate_next_at > ${now} THEN 0
      ELSE least(greatest(0, ${e}.max_in_flight - ${busy}),
                 CASE WHEN ${e}.circuit_state <> 'closed' THEN 1 ELSE ${e}.max_in_flight END,
                 -- Not coalesce(greatest(...)): greatest() skips a NULL, so no rate limit would read as a cap of one.
                 CASE WHEN ${e}.rate_limit_per_second IS NULL THEN ${e}.max_in_flight ELSE greatest(1, floor(${e}.rate_limit_per_second / 10))::int END)
        + CASE WHEN ${e}.circuit_state = 'closed' AND ${e}.rate_limit_per_second IS NULL THEN greatest(0, ${e}.max_in_flight - ${a}.queued_here) ELSE 0 END
    END`;
}
