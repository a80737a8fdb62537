import { Client } from 'pg';
import { EndpointClaimState, planClaim } from '../libs/webhooks/src/claim-policy';
import { claimCapSql, plainLimitsSql } from '../libs/webhooks/src/plain-claim.repository';
import { ADMIN_DATABASE_URL } from './support/scratch-database';

type Plain = Pick<EndpointClaimState, 'maxInFlight' | 'inFlight' | 'answeredHere'> & { queuedHere?: number };

/**
 * The one-round-trip claim re-states planClaim's rule for plain endpoints (circuit closed, no rate limit) in SQL:
 * both must hand out the same number of deliveries per endpoint (picked ahead included, see pickAhead), room of the
 * worker shared in the order asked.
 */
describe('plain claim: the SQL plan agrees with planClaim', () => {
  const cases: { name: string; room: number; endpoints: Plain[] }[] = [
    { name: 'idle endpoints, ample room', room: 500, endpoints: [{ maxInFlight: 10, inFlight: 0, answeredHere: 0 }, { maxInFlight: 3, inFlight: 0, answeredHere: 0 }] },
    { name: 'other workers\' leases count', room: 500, endpoints: [{ maxInFlight: 10, inFlight: 7, answeredHere: 0 }, { maxInFlight: 10, inFlight: 12, answeredHere: 0 }] },
    { name: 'answered here frees slots', room: 500, endpoints: [{ maxInFlight: 10, inFlight: 10, answeredHere: 4 }, { maxInFlight: 10, inFlight: 3, answeredHere: 5 }] },
    { name: 'worker room runs out in the order asked', room: 12, endpoints: [{ maxInFlight: 10, inFlight: 0, answeredHere: 0 }, { maxInFlight: 10, inFlight: 8, answeredHere: 0 }, { maxInFlight: 10, inFlight: 0, answeredHere: 0 }, { maxInFlight: 10, inFlight: 0, answeredHere: 0 }] },
    { name: 'a full endpoint leaves the room to the next', room: 5, endpoints: [{ maxInFlight: 2, inFlight: 2, answeredHere: 0 }, { maxInFlight: 10, inFlight: 0, answeredHere: 0 }] },
    { name: 'picked ahead and waiting count against the queue, not the slots', room: 500, endpoints: [{ maxInFlight: 10, inFlight: 16, answeredHere: 2, queuedHere: 6 }, { maxInFlight: 4, inFlight: 8, answeredHere: 0, queuedHere: 4 }] },
    { name: 'room of one', room: 1, endpoints: [{ maxInFlight: 10, inFlight: 0, answeredHere: 0 }, { maxInFlight: 10, inFlight: 0, answeredHere: 0 }] },
  ];
  let db: Client;

  beforeAll(async () => {
    db = new Client({ connectionString: ADMIN_DATABASE_URL });
    await db.connect();
  });
  afterAll(() => db.end());

  it.each(cases)('$name', async ({ room, endpoints }) => {
    const now = new Date();
    let left = room;
    const expected = endpoints.map((e) => {
      const plan = planClaim({ queuedHere: 0, ...e, circuitState: 'closed', circuitRetryAt: null, rateLimitPerSecond: null, rateNextAt: null }, left, now);
      if (plan.kind !== 'take') return 0;
      left -= plan.limit;
      return plan.limit;
    });
    const values = endpoints.map((e, i) => `(${i + 1}, ${e.maxInFlight}, ${e.inFlight}, ${e.answeredHere}, ${e.queuedHere ?? 0})`).join(', ');
    // As the claim runs it: the endpoint's settings read through claimCapSql (here a healthy, unpaced endpoint).
    const { rows } = await db.query(
      `WITH v(ord, endpoint_max, in_flight, answered_here, queued_here) AS (VALUES ${values}),
            s AS (SELECT v.ord, v.in_flight, v.answered_here, v.queued_here, ${claimCapSql('e', 'v', 'now()')} AS max_in_flight
                  FROM v CROSS JOIN LATERAL (SELECT v.endpoint_max AS max_in_flight, 'closed'::text AS circuit_state, NULL::timestamptz AS circuit_retry_at,
                                                    NULL::numeric AS rate_limit_per_second, NULL::timestamptz AS rate_next_at) e)
       SELECT lim FROM (${plainLimitsSql('s', room)}) p ORDER BY ord`,
    );
    expect(rows.map((r) => r.lim)).toEqual(expected);
  });
});
