/** What the claim reads about an endpoint, under its row lock, before deciding how much it may take. */
export interface EndpointClaimState {
  maxInFlight: number;
  /** Deliveries of the endpoint under a live lease, whichever worker holds them. */
  inFlight: number;
  /**
   * Of those, the ones this worker has already had a 2xx for and not yet recorded: leased still (their outcome
   * is not in PostgreSQL), but no longer a request open at the partner, so they do not count against max_in_flight.
   * (A failed answer keeps its slot until recorded, so the circuit sees it before more requests go out.)
   */
  answeredHere: number;
  /**
   * Of those, the ones this worker has picked ahead and not sent yet (see pickAhead): leased too, but no request is
   * open for them at the partner either.
   */
  queuedHere: number;
  circuitState: 'closed' | 'open' | 'half_open';
  circuitRetryAt: Date | null;
  rateLimitPerSecond: number | null;
  rateNextAt: Date | null;
}

export type ClaimPlan =
  /** Nothing may go before `until` (circuit cool-down, rate limit): wake the endpoint then. */
  | { kind: 'wait'; until: Date }
  /** No room now; a finishing send (or the probe's outcome) pumps the endpoint again. */
  | { kind: 'full' }
  /** Take up to `limit` due deliveries; `probe`: the single attempt that tests an open circuit. */
  | { kind: 'take'; limit: number; probe: boolean };

/**
 * How many deliveries an endpoint may be handed now, given the room left in
 * this worker. In-flight bound: the endpoint's max_in_flight counts every
 * worker's leases. Circuit: open, attempts wait (they are postponed, not
 * spent) until one probe may test the endpoint; half-open, the probe in flight
 * decides, and half-open with nothing in flight lost its probe (its worker
 * died), so another is sent. Rate limit: at most a tenth of a second's worth
 * at once, then paced by `nextRateAt`. A healthy endpoint may also be picked
 * ahead (pickAhead): those wait here for a slot.
 */
export function planClaim(s: EndpointClaimState, room: number, now: Date): ClaimPlan {
  // Requests open at the partner (and failures not yet counted by the circuit): the slots max_in_flight bounds.
  const busy = Math.max(0, s.inFlight - s.answeredHere - s.queuedHere);
  let limit = Math.min(room, Math.max(0, s.maxInFlight - busy) + pickAhead(s));
  let probe = false;
  if (s.circuitState !== 'closed') {
    if (s.circuitState === 'open' && s.circuitRetryAt && s.circuitRetryAt > now) return { kind: 'wait', until: s.circuitRetryAt };
    // The probe's outcome, not its answer, decides: one answered and not yet recorded still holds the circuit.
    if (s.inFlight > 0) return { kind: 'full' };
    limit = Math.min(limit, 1);
    probe = true;
  }
  if (s.rateLimitPerSecond !== null) {
    if (s.rateNextAt && s.rateNextAt > now) return { kind: 'wait', until: s.rateNextAt };
    limit = Math.min(limit, Math.max(1, Math.floor(s.rateLimitPerSecond / 10)));
  }
  return limit > 0 ? { kind: 'take', limit, probe } : { kind: 'full' };
}

/**
 * How many deliveries a healthy endpoint may have picked ahead of its free slots: up to max_in_flight more, waiting
 * in this worker for a slot. A 2xx then starts the next request at once instead of after a claim's round trip
 * (which under load took longer than the partner's answer, so the slots sat idle), and a claim picks for several
 * answers at once. Never for an endpoint in trouble (circuit not closed: each attempt's outcome decides the next) nor
 * a rate-limited one (its pace is the bound, not the round trip). The queue is dropped, not sent, on a failure, a
 * lost lease or shutdown: its deliveries are still pending in PostgreSQL and the next claim picks them again.
 */
export function pickAhead(s: Pick<EndpointClaimState, 'maxInFlight' | 'queuedHere' | 'circuitState' | 'rateLimitPerSecond'>): number {
  if (s.circuitState !== 'closed' || s.rateLimitPerSecond !== null) return 0;
  return Math.max(0, s.maxInFlight - s.queuedHere);
}

/** The rate-limited endpoint's next send time after `taken` sends now: the limit is kept on average, bursts included. */
export function nextRateAt(s: Pick<EndpointClaimState, 'rateLimitPerSecond' | 'rateNextAt'>, taken: number, now: Date): Date {
  const from = Math.max(now.getTime(), s.rateNextAt?.getTime() ?? 0);
  return new Date(from + (taken / s.rateLimitPerSecond!) * 1000);
}
