import { z } from 'zod';

/** What the service needs to reach a Redis Cluster: seed nodes (the rest are discovered) and the credentials all nodes share. */
export interface RedisClusterSeeds {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls: boolean;
}

function parseSeed(entry: string, index: number): { host: string; port: number; username?: string; password?: string; tls: boolean } | string {
  const url = (() => {
    try {
      return new URL(entry.includes('://') ? entry : `redis://${entry}`);
    } catch {
      return undefined;
    }
  })();
  if (!url || !['redis:', 'rediss:'].includes(url.protocol) || !url.hostname) return `node ${index + 1} is not host:port or a redis:// URL`;
  const port = Number(url.port || 6379);
  if (!url.port && !entry.includes('://')) return `node ${index + 1} has no port`;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls: url.protocol === 'rediss:',
  };
}

/** REDIS_CLUSTER_NODES: a comma list of `host:port` or `redis://` / `rediss://` URLs. */
export const redisClusterSeeds = z.string().transform((value, ctx): RedisClusterSeeds => {
  const seeds = value.split(',').map((s) => s.trim()).filter(Boolean).map((s, i) => parseSeed(s, i));
  // Entries are not echoed: a URL may carry the password.
  const problems = seeds.filter((s) => typeof s === 'string');
  const good = seeds.filter((s) => typeof s !== 'string');
  if (seeds.length === 0) problems.push('must name at least one node');
  // Discovered nodes get the same options as the seeds, so the seeds cannot disagree on them.
  if (new Set(good.map((s) => JSON.stringify([s.username, s.password, s.tls]))).size > 1) problems.push('every node must use the same scheme and credentials');
  for (const message of problems) ctx.addIssue({ code: 'custom', message });
  if (problems.length) return z.NEVER;
  const [first] = good;
  return { nodes: good.map(({ host, port }) => ({ host, port })), username: first.username, password: first.password, tls: first.tls };
});

/**
 * Redis Cluster runs a multi-key command (every BullMQ script) only when all
 * its keys hash to one slot; a key's slot is taken from its hash tag, the
 * non-empty text between its first `{` and the next `}`.
 */
export function hasHashTag(prefix: string): boolean {
  return /^[^{]*\{[^}]+\}/.test(prefix);
}
