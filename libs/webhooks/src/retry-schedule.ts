const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * When each attempt is made, as a delay after the previous one: immediately,
 * then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (about three days,
 * as long as Stripe's own retries). The one definition of the schedule.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR];

/** The rest of the delivery policy, beside the schedule it goes with. */
export const DELIVERY_POLICY = {
  /** ±20 % so a partner that comes back is not hit by every retry at the same instant. */
  jitter: 0.2,
  /** Retry-After is honoured up to this far ahead. */
  maxRetryAfterMs: DAY,
  /** Consecutive failures that open an endpoint's circuit. */
  circuitThreshold: 10,
  /** First wait before a probe once the circuit opens; doubles on each failed probe. */
  circuitCooldownMs: 30 * SECOND,
  circuitMaxCooldownMs: 30 * MINUTE,
  /** An endpoint failing everything for this long (over at least minFailureSpanMs) is disabled. */
  disableAfterMs: 5 * DAY,
  minFailureSpanMs: 12 * HOUR,
  /** A message body larger than this is refused when the message is created. */
  maxPayloadBytes: 256 * 1024,
} as const;

export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length;

/**
 * Delay before the attempt after `attemptsMade` attempts (1-based count of
 * attempts already made), scaled (tests shrink three days into seconds) and
 * jittered; null when the schedule is over.
 */
export function nextAttemptDelayMs(attemptsMade: number, scale = 1, random: () => number = Math.random, maxAttempts = MAX_ATTEMPTS): number | null {
  if (attemptsMade >= Math.min(maxAttempts, MAX_ATTEMPTS)) return null;
  const step = RETRY_SCHEDULE_MS[attemptsMade] * scale;
  const jitter = 1 + (random() * 2 - 1) * DELIVERY_POLICY.jitter;
  return Math.round(step * jitter);
}

/**
 * A 429/503 Retry-After postpones the next attempt to that time, never
 * earlier than the schedule's step and never more than a day ahead.
 */
export function retryAfterDelayMs(retryAfterMs: number, scheduledDelayMs: number, scale = 1): number {
  return Math.round(Math.min(Math.max(retryAfterMs * scale, scheduledDelayMs), DELIVERY_POLICY.maxRetryAfterMs * scale));
}

/** Wait before the next probe of an open circuit, growing with each failed probe. */
export function circuitCooldownMs(timesOpened: number, scale = 1): number {
  const ms = DELIVERY_POLICY.circuitCooldownMs * 2 ** Math.max(0, timesOpened - 1);
  return Math.round(Math.min(ms, DELIVERY_POLICY.circuitMaxCooldownMs) * scale);
}
