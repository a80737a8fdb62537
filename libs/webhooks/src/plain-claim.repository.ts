/**
 * The claim's pick runs in the same round trip as the endpoint lease, before planClaim can run in TypeScript; so
 * the pick's limits re-state planClaim in SQL (its caps folded into max_in_flight by the claim, see
 * DeliveryClaimRepository), and planClaim then decides on what came back (it may only take fewer).
 */

/**
 * planClaim's rule for a plain endpoint, in SQL: room left for the endpoint (its max_in_flight minus the
 * sends its lease holder has not recorded, answered ones excepted), within the room left in this worker after the endpoints
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
