import { judgeAttempt } from './attempt-outcome';
import { parseRetryAfter, SendResult } from './webhook-sender';

const answer = (statusCode: number | null, extra: Partial<SendResult> = {}): SendResult => ({
  statusCode,
  durationMs: 3,
  responseBody: '',
  retryAfterMs: null,
  abort: false,
  error: statusCode === null ? 'timeout after 15000 ms' : null,
  ...extra,
});
const half = () => 0.5;

describe('judgeAttempt', () => {
  it('2xx is delivered', () => {
    expect(judgeAttempt(answer(200), 1, 1, undefined, half)).toEqual({ kind: 'delivered' });
    expect(judgeAttempt(answer(204), 1, 1, undefined, half)).toEqual({ kind: 'delivered' });
  });

  it('a 3xx is not followed: it is a failure, retried on schedule', () => {
    expect(judgeAttempt(answer(301), 1, 1, undefined, half)).toEqual({ kind: 'retry', delayMs: 5000, error: 'HTTP 301 (redirects are not followed)', gone: false });
  });

  it('a timeout is a failure with its error', () => {
    expect(judgeAttempt(answer(null), 2, 1, undefined, half)).toMatchObject({ kind: 'retry', delayMs: 300_000, error: 'timeout after 15000 ms' });
  });

  it('410 Gone marks the endpoint gone', () => {
    expect(judgeAttempt(answer(410), 1, 1, undefined, half)).toMatchObject({ kind: 'retry', gone: true });
  });

  it('honours Retry-After on 429 and 503 only', () => {
    expect(judgeAttempt(answer(429, { retryAfterMs: 120_000 }), 1, 1, undefined, half)).toMatchObject({ delayMs: 120_000 });
    expect(judgeAttempt(answer(503, { retryAfterMs: 120_000 }), 1, 1, undefined, half)).toMatchObject({ delayMs: 120_000 });
    expect(judgeAttempt(answer(500, { retryAfterMs: 120_000 }), 1, 1, undefined, half)).toMatchObject({ delayMs: 5000 });
  });

  it('gives up after the 10th attempt', () => {
    expect(judgeAttempt(answer(500), 10, 1, undefined, half)).toEqual({ kind: 'failed', reason: 'exhausted', error: 'HTTP 500', gone: false });
  });

  it('stops when the receiver answers webhook-delivery: abort', () => {
    expect(judgeAttempt(answer(500, { abort: true }), 1, 1, undefined, half)).toMatchObject({ kind: 'failed', reason: 'aborted' });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores the rest', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
