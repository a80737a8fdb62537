import { Client } from 'pg';
import { EndpointClaimState, planClaim } from '../libs/webhooks/src/claim-policy';
import { claimCapSql, plainLimitsSql } from '../libs/webhooks/src/plain-claim.repository';
import { ADMIN_DATABASE_URL } from './support/scratch-database';

/**
 * The claim's pick is limited in SQL before planClaim runs (same round trip as the endpoint lease): with its caps
 * (circuit, rate limit) folded into max_in_flight, it must hand out what planClaim decides, for every kind of
 * endpoint, not only plain ones (a rate limit left NULL once read as a cap of one: greatest() skips a NULL).
 */
describe('claim: the SQL limit with its caps agrees with planClaim', () => {
  const now = new Date('2026-12-05T10:00:00Z');
  const later = new Date(now.getTime() + 30_000);
  const earlier = new Date(now.getTime() - 1_000);
  const base: EndpointClaimState = { maxInFlight: 10, inFlight: 0, answeredHere: 0, queuedHere: 0, circuitState: 'closed', circuitRetryAt: null, rateLimitPerSecond: null, rateNextAt: null };
  const cases: [string, Partial<EndpointClaimState>][] = [
    ['plain, idle', {}],
    ['plain, busy', { inFlight: 7 }],
    ['plain, answered frees slots', { inFlight: 10, answeredHere: 4 }],
    ['no rate limit is no cap', { maxInFlight: 50 }],
    ['rate limited: a tenth of a second', { rateLimitPerSecond: 50 }],
    ['slow rate: one at a time', { rateLimitPerSecond: 0.5 }],
    ['rate paced until later', { rateLimitPerSecond: 50, rateNextAt: later }],
    ['rate pacing passed', { rateLimitPerSecond: 50, rateNextAt: earlier }],
    ['open circuit, cooling down', { circuitState: 'open', circuitRetryAt: later }],
    ['open circuit, probe due', { circuitState: 'open', circuitRetryAt: earlier }],
    ['half open, probe in flight', { circuitState: 'half_open', inFlight: 1 }],
    ['half open, probe answered not recorded', { circuitState: 'half_open', inFlight: 1, answeredHere: 1 }],
    ['half open, probe lost', { circuitState: 'half_open' }],
    ['busy beyond the cap', { maxInFlight: 3, inFlight: 5 }],
    ['picked ahead, some waiting', { inFlight: 15, queuedHere: 5 }],
    ['picked ahead, queue full', { inFlight: 20, queuedHere: 10 }],
    ['picked ahead, answered too', { inFlight: 14, answeredHere: 3, queuedHere: 4 }],
    ['rate limited, never ahead', { rateLimitPerSecond: 50, inFlight: 2 }],
  ];
  let db: Client;

  beforeAll(async () => {
    db = new Client({ connectionString: ADMIN_DATABASE_URL });
    await db.connect();
  });
  afterAll(() => db.end());

  it.each(cases)('%s', async (_name, change) => {
    const s = { ...base, ...change };
    const plan = planClaim(s, 500, now);
    const expected = plan.kind === 'take' ? plan.limit : 0;
    const { rows } = await db.query(
      `WITH e AS (SELECT $1::int AS max_in_flight, $2::text AS circuit_state, $3::timestamptz AS circuit_retry_at, $4::numeric AS rate_limit_per_second, $5::timestamptz AS rate_next_at),
            a AS (SELECT $6::int AS in_flight, $7::int AS answered_here, $9::int AS queued_here),
            src AS (SELECT 1 AS ord, a.in_flight, a.answered_here, a.queued_here, ${claimCapSql('e', 'a', '$8::timestamptz')} AS max_in_flight FROM e, a)
       SELECT lim FROM (${plainLimitsSql('src', 500)}) p`,
      [s.maxInFlight, s.circuitState, s.circuitRetryAt, s.rateLimitPerSecond, s.rateNextAt, s.inFlight, s.answeredHere, now, s.queuedHere],
    );
    expect(rows[0].lim).toBe(expected);
  });
});
