import { EndpointClaimState, nextRateAt, pickAhead, planClaim } from './claim-policy';

const now = new Date('2026-12-04T10:00:00Z');
const later = new Date(now.getTime() + 30_000);
const healthy: EndpointClaimState = { maxInFlight: 10, inFlight: 0, answeredHere: 0, queuedHere: 0, circuitState: 'closed', circuitRetryAt: null, rateLimitPerSecond: null, rateNextAt: null };

describe('claim policy', () => {
  it('hands out what both the endpoint (every worker counted) and this worker have room for, and as much again picked ahead', () => {
    expect(planClaim(healthy, 500, now)).toEqual({ kind: 'take', limit: 20, probe: false });
    expect(planClaim({ ...healthy, inFlight: 7 }, 500, now)).toEqual({ kind: 'take', limit: 13, probe: false });
    expect(planClaim(healthy, 4, now)).toEqual({ kind: 'take', limit: 4, probe: false });
    // Every slot busy at the partner: only picks that wait here for a slot.
    expect(planClaim({ ...healthy, inFlight: 10 }, 500, now)).toEqual({ kind: 'take', limit: 10, probe: false });
    expect(planClaim(healthy, 0, now)).toEqual({ kind: 'full' });
  });

  it('keeps at most max_in_flight picked ahead, and none for an endpoint in trouble or paced', () => {
    expect(planClaim({ ...healthy, inFlight: 15, queuedHere: 5 }, 500, now)).toEqual({ kind: 'take', limit: 5, probe: false });
    expect(planClaim({ ...healthy, inFlight: 20, queuedHere: 10 }, 500, now)).toEqual({ kind: 'full' });
    // Max in flight lowered below what is open at the partner: nothing more now, still a queue's worth ahead.
    expect(planClaim({ ...healthy, maxInFlight: 5, inFlight: 8 }, 500, now)).toEqual({ kind: 'take', limit: 5, probe: false });
    expect(pickAhead({ ...healthy, circuitState: 'half_open' })).toBe(0);
    expect(pickAhead({ ...healthy, rateLimitPerSecond: 50 })).toBe(0);
    expect(pickAhead({ ...healthy, queuedHere: 4 })).toBe(6);
  });

  it('frees the slot of a request answered here as soon as the answer is in, before it is recorded', () => {
    expect(planClaim({ ...healthy, inFlight: 10, answeredHere: 4 }, 500, now)).toEqual({ kind: 'take', limit: 14, probe: false });
    expect(planClaim({ ...healthy, inFlight: 3, answeredHere: 5 }, 500, now)).toEqual({ kind: 'take', limit: 20, probe: false });
    // An answered probe is not an outcome: the circuit stays held until it is recorded.
    expect(planClaim({ ...healthy, circuitState: 'half_open', inFlight: 1, answeredHere: 1 }, 500, now)).toEqual({ kind: 'full' });
  });

  it('postpones attempts while the circuit is open, then lets exactly one probe through', () => {
    expect(planClaim({ ...healthy, circuitState: 'open', circuitRetryAt: later }, 500, now)).toEqual({ kind: 'wait', until: later });
    const due = { ...healthy, circuitState: 'open' as const, circuitRetryAt: now };
    expect(planClaim(due, 500, now)).toEqual({ kind: 'take', limit: 1, probe: true });
    expect(planClaim({ ...due, inFlight: 1 }, 500, now)).toEqual({ kind: 'full' });
  });

  it('sends a new probe when a half-open endpoint has none in flight (its worker died)', () => {
    expect(planClaim({ ...healthy, circuitState: 'half_open', inFlight: 1 }, 500, now)).toEqual({ kind: 'full' });
    expect(planClaim({ ...healthy, circuitState: 'half_open' }, 500, now)).toEqual({ kind: 'take', limit: 1, probe: true });
  });

  it('paces a rate-limited endpoint: a tenth of a second at once, nothing before the next send time', () => {
    expect(planClaim({ ...healthy, rateLimitPerSecond: 50 }, 500, now)).toEqual({ kind: 'take', limit: 5, probe: false });
    expect(planClaim({ ...healthy, rateLimitPerSecond: 0.5 }, 500, now)).toEqual({ kind: 'take', limit: 1, probe: false });
    expect(planClaim({ ...healthy, rateLimitPerSecond: 50, rateNextAt: later }, 500, now)).toEqual({ kind: 'wait', until: later });
    expect(nextRateAt({ rateLimitPerSecond: 50, rateNextAt: null }, 5, now)).toEqual(new Date(now.getTime() + 100));
    // A backlog of pacing carries over: the limit holds on average.
    expect(nextRateAt({ rateLimitPerSecond: 2, rateNextAt: new Date(now.getTime() - 1) }, 1, now)).toEqual(new Date(now.getTime() + 500));
  });
});
