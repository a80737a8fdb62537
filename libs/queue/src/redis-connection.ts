import { Cluster, Redis, RedisOptions } from 'ioredis';
import { AppConfig } from '@app/config';

/** A standalone Redis or a Redis Cluster: BullMQ and our own commands accept either. */
export type RedisConnection = Redis | Cluster;

export interface RedisConnectionOptions {
  /**
   * null for BullMQ workers: their blocking commands must outlive a
   * reconnection (BullMQ refuses anything else). Producers and the rate
   * limiter use a small number, so a call fails fast while Redis is down.
   */
  maxRetriesPerRequest: number | null;
  lazyConnect?: boolean;
}

/**
 * The one place a Redis connection of the service is built, standalone from
 * REDIS_URL or, when REDIS_CLUSTER_NODES is set, a Cluster discovered from its
 * seed nodes. Every key then carries the hash-tagged QUEUE_PREFIX (checked at
 * boot), so each BullMQ script's keys share one slot.
 */
export function createRedisConnection(config: AppConfig, opts: RedisConnectionOptions): RedisConnection {
  const { maxRetriesPerRequest, lazyConnect = false } = opts;
  const seeds = config.redisCluster;
  if (!seeds) return new Redis(config.redisUrl, { maxRetriesPerRequest, lazyConnect });
  const nodeOptions: RedisOptions = {
    maxRetriesPerRequest,
    username: seeds.username,
    password: seeds.password,
    tls: seeds.tls ? {} : undefined,
  };
  return new Cluster(seeds.nodes, { lazyConnect, redisOptions: nodeOptions });
}
