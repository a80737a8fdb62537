import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { createRedisConnection, RedisConnection } from '@app/queue';

/**
 * Counts one hit and reads what is left of the window, in one step: concurrent callers each get their own count,
 * so exactly `limit` of them pass. The window starts at a bucket's first hit.
 */
const HIT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/** A bucket's count and the milliseconds left in its window. */
type Window = [count: number, msLeft: number];

/**
 * Fixed-window counters in Redis, shared by every api process. While Redis is
 * unreachable each process counts in its own memory instead, so the limits
 * still hold per process (N replicas allow at most N times the limit) and the
 * api keeps serving: letting every request through would hand key guessing an
 * open door during any Redis outage, refusing every request would stop paying
 * partners because the scheduler is down.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly redis: RedisConnection;
  private readonly local = new LocalWindows();
  private redisDown = false;

  constructor(private readonly config: AppConfig) {
    this.redis = createRedisConnection(config, { maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
  }

  /** Counts one hit; returns the seconds to wait when over `limit`, else 0. */
  async hit(bucket: string, limit: number, windowSeconds: number): Promise<number> {
    const key = this.key(bucket);
    const windowMs = windowSeconds * 1000;
    const [count, msLeft] = await this.withFallback(
      async () => (await this.redis.eval(HIT, 1, key, windowMs)) as Window,
      () => this.local.hit(key, windowMs),
    );
    return count <= limit ? 0 : Math.max(1, Math.ceil(msLeft / 1000));
  }

  /** Whether `bucket` is already at `limit` in its current window, without counting: the seconds left, else 0. */
  async isOver(bucket: string, limit: number): Promise<number> {
    const key = this.key(bucket);
    const [count, msLeft] = await this.withFallback(
      async () => {
        const [[, n], [, ttl]] = (await this.redis.multi().get(key).pttl(key).exec()) as [[null, string | null], [null, number]];
        return [Number(n ?? 0), ttl] as Window;
      },
      () => this.local.peek(key),
    );
    return count >= limit ? Math.max(1, Math.ceil(msLeft / 1000)) : 0;
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  private key(bucket: string): string {
    return `${this.config.queuePrefix}:rl:${bucket}`;
  }

  private async withFallback(shared: () => Promise<Window>, local: () => Window): Promise<Window> {
    // Not connected: count here at once rather than wait for a reconnection on every request.
    if (this.redis.status === 'ready') {
      try {
        const window = await shared();
        if (this.redisDown) this.logger.log('Rate limits shared through Redis again');
        this.redisDown = false;
        return window;
      } catch (err) {
        this.reportDown((err as Error).message);
      }
    } else {
      this.reportDown(`connection ${this.redis.status}`);
    }
    return local();
  }

  private reportDown(reason: string): void {
    if (!this.redisDown) this.logger.warn(`Redis unavailable (${reason}): rate limits counted per process until it is back`);
    this.redisDown = true;
  }
}

/** The same windows in this process's memory, for Redis outages. */
class LocalWindows {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  hit(key: string, windowMs: number): Window {
    const now = Date.now();
    if (this.windows.size > 100_000) this.dropExpired(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    return [w.count, w.resetAt - now];
  }

  peek(key: string): Window {
    const now = Date.now();
    const w = this.windows.get(key);
    return w && w.resetAt > now ? [w.count, w.resetAt - now] : [0, 0];
  }

  private dropExpired(now: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}
