import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { hasHashTag, redisClusterSeeds } from './redis-cluster';

const whsecList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().startsWith('whsec_', 'each secret must start with whsec_')).min(1));

/** Comma list of IP addresses or CIDR ranges, e.g. `10.0.0.0/8, 192.0.2.7`. */
const trustedProxies = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().refine((v) => ipaddr.IPv4.isValidFourPartDecimal(v) || ipaddr.IPv6.isValid(v) || isCidr(v), 'each entry must be an IP address or a CIDR range')).min(1));

function isCidr(v: string): boolean {
  try {
    ipaddr.parseCIDR(v);
    return true;
  } catch {
    return false;
  }
}

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/**
 * The one description of the environment the service reads. Defaults make a
 * development checkout start without any setting; production refuses them.
 */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/comptappart'),
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z.string().min(1).default('ca'),
    REDIS_CLUSTER_NODES: redisClusterSeeds.optional(),
    SMTP_URL: z.string().url().optional(),
    MAIL_FROM: z.string().min(3).default('ComptAppart <factures@comptappart.localhost>'),
    MAIL_DIR: z.string().default('var/mail'),
    // DKIM signing of every email: all three or none. The key is a PEM; one-line env files may write its newlines as \n.
    DKIM_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a domain name, e.g. comptappart.fr').optional(),
    DKIM_SELECTOR: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a DNS label, e.g. mail2026').optional(),
    DKIM_PRIVATE_KEY: z
      .string()
      .transform((v) => v.replace(/\\n/g, '\n'))
      .refine((v) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v), 'must be a PEM private key (-----BEGIN PRIVATE KEY-----), newlines as \\n allowed')
      .optional(),
    STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_test_/, 'must be a Stripe test-mode secret key (sk_test_…), used for staging').optional(),
    STRIPE_LIVE_SECRET_KEY: z.string().regex(/^(sk|rk)_live_/, 'must be a Stripe live-mode secret key (sk_live_…), used for production').optional(),
    STRIPE_API_URL: z.string().url().optional(),
    // Stripe signs test-mode and live-mode events with different endpoint secrets; an event is only
    // accepted with a secret of its own mode (see StripeWebhookVerifier).
    STRIPE_WEBHOOK_SECRETS_TEST: whsecList.optional(),
    STRIPE_WEBHOOK_SECRETS_LIVE: whsecList.optional(),
    /** Deprecated alias of STRIPE_WEBHOOK_SECRETS_TEST, from before secrets were split by mode. */
    STRIPE_WEBHOOK_SECRETS: whsecList.optional(),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    PUBLIC_BASE_URL: z.string().url().default('http://localhost:3000'),
    // Where the api finds the partner portal's built web app (npm run build); relative to the working directory.
    PORTAL_DIST_DIR: z.string().min(1).default('dist/portal'),
    ENCRYPTION_KEY: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
      .optional(),
    PLATFORM_NAME: z.string().min(1).default('ComptAppart'),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
    WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().positive().default(5000),
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
    WEBHOOK_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    WEBHOOK_SCHEDULE_SCALE: z.coerce.number().positive().max(1).optional(),
    WEBHOOK_MAX_IN_FLIGHT_PER_WORKER: z.coerce.number().int().min(1).max(10000).default(500),
    SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
    SWEEP_GRACE_MS: z.coerce.number().int().nonnegative().default(10000),
    // At most the queue's own 12 attempts (libs/queue job-registry), after which BullMQ would stop retrying.
    STRIPE_EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(12).default(12),
    WORKER_CONCURRENCY: z.coerce.number().int().positive().default(20),
    // Threads rendering PDFs beside the worker's event loop; 0 renders on the event loop itself.
    PDF_RENDER_THREADS: z.coerce.number().int().min(0).max(16).default(1),
    RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    // The internal listeners (api metrics, worker health and metrics) stay off the public interface.
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    API_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
    TRUSTED_PROXIES: trustedProxies.optional(),
    API_RATE_LIMIT_PER_SECOND: z.coerce.number().int().positive().default(100),
    AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().positive().default(30),
    LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
    // A file that also receives the log lines, from `log` up whatever LOG_LEVEL is; the test suite scans it.
    LOG_FILE: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.REDIS_CLUSTER_NODES && !hasHashTag(c.QUEUE_PREFIX)) {
      ctx.addIssue({ code: 'custom', path: ['QUEUE_PREFIX'], message: 'must carry a hash tag such as {ca} when REDIS_CLUSTER_NODES is set, so each queue\'s keys share a cluster slot' });
    }
    if (c.STRIPE_WEBHOOK_SECRETS && c.STRIPE_WEBHOOK_SECRETS_TEST) {
      ctx.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRETS'], message: 'is the deprecated name of STRIPE_WEBHOOK_SECRETS_TEST: set only STRIPE_WEBHOOK_SECRETS_TEST' });
    }
    const testSecrets = new Set(c.STRIPE_WEBHOOK_SECRETS_TEST ?? c.STRIPE_WEBHOOK_SECRETS ?? []);
    if ((c.STRIPE_WEBHOOK_SECRETS_LIVE ?? []).some((secret) => testSecrets.has(secret))) {
      // One secret for both modes would let whoever holds the test secret sign live events again.
      ctx.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRETS_LIVE'], message: 'shares a secret with STRIPE_WEBHOOK_SECRETS_TEST: each mode needs its own' });
    }
    const dkimSet = [c.DKIM_DOMAIN, c.DKIM_SELECTOR, c.DKIM_PRIVATE_KEY].filter((v) => v !== undefined).length;
    if (dkimSet !== 0 && dkimSet !== 3) {
      ctx.addIssue({ code: 'custom', path: ['DKIM_DOMAIN'], message: 'DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY go together: set all three, or none to send unsigned' });
    }
    if (c.NODE_ENV !== 'production') return;
    for (const key of ['SMTP_URL', 'STRIPE_SECRET_KEY', 'ADMIN_TOKEN', 'ENCRYPTION_KEY'] as const) {
      if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when NODE_ENV=production' });
    }
    if (!c.STRIPE_WEBHOOK_SECRETS_TEST && !c.STRIPE_WEBHOOK_SECRETS) {
      ctx.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRETS_TEST'], message: 'is required when NODE_ENV=production' });
    }
    if (c.STRIPE_LIVE_SECRET_KEY && !c.STRIPE_WEBHOOK_SECRETS_LIVE) {
      ctx.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRETS_LIVE'], message: 'is required when NODE_ENV=production and STRIPE_LIVE_SECRET_KEY is set' });
    }
    if (c.WEBHOOK_ALLOW_PRIVATE_NETWORKS) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_ALLOW_PRIVATE_NETWORKS'], message: 'cannot be true when NODE_ENV=production' });
    }
    // Both shrink the whole delivery policy (retries, circuit cool-down, the 5-day auto-disable): tests only.
    if (c.WEBHOOK_RETRY_BASE_MS < 5000) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_RETRY_BASE_MS'], message: 'must be at least 5000 when NODE_ENV=production (lower values shrink the whole delivery policy)' });
    }
    if (c.WEBHOOK_SCHEDULE_SCALE !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SCHEDULE_SCALE'], message: 'cannot be set when NODE_ENV=production (it shrinks the whole delivery policy; tests only)' });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;
