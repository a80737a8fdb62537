import { EndpointClaimState, nextRateAt, planClaim } from './claim-policy';

const now = new Date('2026-12-04T10:00:00Z');
const later = new Date(now.getTime() + 30_000);
const healthy: EndpointClaimState = { maxInFlight: 10, inFlight: 0, answeredHere: 0, circuitState: 'closed', circuitRetryAt: null, rateLimitPerSecond: null, rateNextAt: null };

describe('claim policy', () => {
  it('hands out what both the endpoint (every worker counted) and this worker have room for', () => {
    expect(planClaim(healthy, 500, now)).toEqual({ kind: 'take', limit: 10, probe: false });
    expect(planClaim({ ...healthy, inFlight: 7 }, 500, now)).toEqual({ kind: 'take', limit: 3, probe: false });
    expect(planClaim(healthy, 4, now)).toEqual({ kind: 'take', limit: 4, probe: false });
    expect(planClaim({ ...healthy, inFlight: 10 }, 500, now)).toEqual({ kind: 'full' });
    expect(planClaim(healthy, 0, now)).toEqual({ kind: 'full' });
  });

  it('frees the slot of a request answered here as soon as the answer is in, before it is recorded', () => {
    expect(planClaim({ ...healthy, inFlight: 10, answeredHere: 4 }, 500, now)).toEqual({ kind: 'take', limit: 4, probe: false });
    expect(planClaim({ ...healthy, inFlight: 3, answeredHere: 5 }, 500, now)).toEqual({ kind: 'take', limit: 10, probe: false });
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
