import { circuitCooldownMs, MAX_ATTEMPTS, nextAttemptDelayMs, RETRY_SCHEDULE_MS, retryAfterDelayMs } from './retry-schedule';

const S = 1000;
const H = 3600 * S;

describe('retry schedule', () => {
  it('is the documented one: now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (about three days)', () => {
    expect(RETRY_SCHEDULE_MS).toEqual([0, 5 * S, 300 * S, 1800 * S, 2 * H, 5 * H, 10 * H, 14 * H, 20 * H, 24 * H]);
    expect(MAX_ATTEMPTS).toBe(10);
    const total = RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(total / (24 * H)).toBeCloseTo(3.15, 1);
  });

  it('jitters each step by at most ±20 %', () => {
    expect(nextAttemptDelayMs(1, 1, () => 0)).toBe(4000);
    expect(nextAttemptDelayMs(1, 1, () => 0.5)).toBe(5000);
    expect(nextAttemptDelayMs(1, 1, () => 0.999999)).toBe(6000);
    for (let i = 0; i < 200; i++) {
      const d = nextAttemptDelayMs(9, 1)!;
      expect(d).toBeGreaterThanOrEqual(0.8 * 24 * H);
      expect(d).toBeLessThanOrEqual(1.2 * 24 * H);
    }
  });

  it('ends after the 10th attempt, or earlier when fewer are configured', () => {
    expect(nextAttemptDelayMs(9, 1)).not.toBeNull();
    expect(nextAttemptDelayMs(10, 1)).toBeNull();
    expect(nextAttemptDelayMs(3, 1, Math.random, 3)).toBeNull();
  });

  it('scales every delay for tests', () => {
    expect(nextAttemptDelayMs(2, 0.001, () => 0.5)).toBe(300);
  });

  it('clamps Retry-After between the scheduled step and a day', () => {
    expect(retryAfterDelayMs(120 * S, 5 * S)).toBe(120 * S);
    expect(retryAfterDelayMs(1 * S, 5 * S)).toBe(5 * S);
    expect(retryAfterDelayMs(30 * 24 * H, 5 * S)).toBe(24 * H);
    expect(retryAfterDelayMs(120 * S, 50, 0.01)).toBe(1200);
  });

  it('waits longer before each probe of a circuit that keeps failing, up to 30 min', () => {
    expect(circuitCooldownMs(1)).toBe(30 * S);
    expect(circuitCooldownMs(2)).toBe(60 * S);
    expect(circuitCooldownMs(20)).toBe(30 * 60 * S);
  });
});
