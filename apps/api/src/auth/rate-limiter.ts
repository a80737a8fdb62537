import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { createRedisConnection, RedisConnection } from '@app/queue';

/**
 * Fixed-window counters in Redis, shared by every api process. When Redis is
 * unreachable the limiter lets requests through: refusing paying partners
 * because the scheduler is down would be the worse failure.
 */
@Injectable()
export class RateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly redis: RedisConnection;

  constructor(private readonly config: AppConfig) {
    this.redis = createRedisConnection(config, { maxRetriesPerRequest: 1, lazyConnect: true });
    this.redis.on('error', () => undefined);
  }

  /** Counts one hit; returns the seconds to wait when over `limit`, else 0. */
  async hit(bucket: string, limit: number, windowSeconds: number): Promise<number> {
    const window = Math.floor(Date.now() / 1000 / windowSeconds);
    const key = `${this.config.queuePrefix}:rl:${bucket}:${window}`;
    try {
      const [[, count]] = (await this.redis.multi().incr(key).expire(key, windowSeconds + 1).exec()) as [[null, number]];
      if (count <= limit) return 0;
      return Math.max(1, (window + 1) * windowSeconds - Math.floor(Date.now() / 1000));
    } catch (err) {
      this.logger.warn(`Rate limiting skipped, Redis unavailable: ${(err as Error).message}`);
      return 0;
    }
  }

  /** Whether `bucket` is already over `limit` in the current window, without counting. */
  async isOver(bucket: string, limit: number, windowSeconds: number): Promise<number> {
    const window = Math.floor(Date.now() / 1000 / windowSeconds);
    try {
      const count = Number((await this.redis.get(`${this.config.queuePrefix}:rl:${bucket}:${window}`)) ?? 0);
      return count >= limit ? Math.max(1, (window + 1) * windowSeconds - Math.floor(Date.now() / 1000)) : 0;
    } catch {
      return 0;
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
