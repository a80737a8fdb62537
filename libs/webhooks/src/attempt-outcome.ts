import { nextAttemptDelayMs, retryAfterDelayMs } from './retry-schedule';
import type { SendResult } from './webhook-sender';

export type AttemptVerdict =
  | { kind: 'delivered' }
  /** Try again after delayMs. `gone` also disables the endpoint (410). */
  | { kind: 'retry'; delayMs: number; error: string; gone: boolean }
  /** No attempt left, or the receiver asked us to stop. */
  | { kind: 'failed'; reason: 'exhausted' | 'aborted'; error: string; gone: boolean };

/**
 * What one answer means for the delivery. 2xx is delivered; 3xx is not
 * followed and counts as a failure; 410 disables the endpoint; 429/503 with
 * Retry-After postpone the next attempt; `webhook-delivery: abort` stops.
 */
export function judgeAttempt(result: SendResult, attemptsMade: number, scale: number, maxAttempts?: number, random?: () => number): AttemptVerdict {
  const status = result.statusCode;
  if (status !== null && status >= 200 && status < 300) return { kind: 'delivered' };
  const error = result.error ?? (status !== null && status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`);
  const gone = status === 410;
  if (result.abort) return { kind: 'failed', reason: 'aborted', error: `${error}; receiver asked to stop (webhook-delivery: abort)`, gone };
  const scheduled = nextAttemptDelayMs(attemptsMade, scale, random, maxAttempts);
  if (scheduled === null) return { kind: 'failed', reason: 'exhausted', error, gone };
  const honoursRetryAfter = (status === 429 || status === 503) && result.retryAfterMs !== null;
  const delayMs = honoursRetryAfter ? retryAfterDelayMs(result.retryAfterMs!, scheduled, scale) : scheduled;
  return { kind: 'retry', delayMs, error, gone };
}
