import { answersWithin, readiness } from './readiness';

describe('readiness', () => {
  it('takes the process out of rotation without PostgreSQL, and only then', () => {
    expect(readiness({ postgres: true, redis: true })).toEqual({ httpStatus: 200, status: 'ok' });
    expect(readiness({ postgres: true, redis: false })).toEqual({ httpStatus: 200, status: 'degraded', down: ['redis'] });
    expect(readiness({ postgres: false, redis: true })).toEqual({ httpStatus: 503, status: 'unavailable', down: ['postgres'] });
    expect(readiness({ postgres: false, redis: false })).toEqual({ httpStatus: 503, status: 'unavailable', down: ['postgres', 'redis'] });
  });

  it('counts a probe that fails, says false or hangs as down', async () => {
    expect(await answersWithin(async () => 1)).toBe(true);
    expect(await answersWithin(async () => false)).toBe(false);
    expect(await answersWithin(() => Promise.reject(new Error('ECONNREFUSED')))).toBe(false);
    expect(await answersWithin(() => new Promise(() => undefined), 20)).toBe(false);
  });
});
