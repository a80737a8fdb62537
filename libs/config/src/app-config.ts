import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { configSchema, RawConfig } from './config.schema';
import { RedisClusterSeeds } from './redis-cluster';

/** Thrown at boot when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {}

/**
 * Typed, validated configuration. The only class in the code base that reads
 * process.env; everything else receives an AppConfig through injection.
 */
export class AppConfig {
  readonly env: RawConfig['NODE_ENV'];
  readonly port: number;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Set: the queues, the rate limiter and every other Redis client use this Cluster, not redisUrl. */
  readonly redisCluster?: RedisClusterSeeds;
  readonly queuePrefix: string;
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  readonly mailDir: string;
  /** Signs every email (nodemailer's `dkim` option) when set. */
  readonly dkim?: { domainName: string; keySelector: string; privateKey: string };
  /** Test mode: staging. */
  readonly stripeSecretKey: string;
  /** Live mode: production; without it production checkouts are refused. */
  readonly stripeLiveSecretKey?: string;
  readonly stripeApiUrl?: string;
  /** Endpoint secrets that may sign test-mode events (staging), newest and rotated-out ones. */
  readonly stripeWebhookSecretsTest: string[];
  /** Endpoint secrets that may sign live-mode events (production); empty: live events are refused. */
  readonly stripeWebhookSecretsLive: string[];
  /** The test-mode secrets came from the deprecated STRIPE_WEBHOOK_SECRETS (said at boot). */
  readonly stripeWebhookSecretsDeprecatedName: boolean;
  /** Failed processing attempts after which a Stripe event is marked `failed` and left to an operator. */
  readonly stripeEventMaxAttempts: number;
  readonly adminToken: string;
  readonly publicBaseUrl: string;
  /** The partner portal's built files, served at /portal/. */
  readonly portalDistDir: string;
  readonly encryptionKey: Buffer;
  readonly platformName: string;
  readonly webhookTimeoutMs: number;
  readonly webhookRetryBaseMs: number;
  readonly webhookMaxAttempts: number;
  readonly webhookAllowPrivateNetworks: boolean;
  readonly webhookConnectTimeoutMs: number;
  /**
   * Multiplies every delay of the delivery policy (retry schedule, Retry-After
   * clamps, circuit cool-down, auto-disable window): 1 in production, tiny in
   * tests so three days of retries run in seconds. Defaults to
   * WEBHOOK_RETRY_BASE_MS / 5000, the schedule's first retry step.
   */
  readonly webhookScheduleScale: number;
  /** Sends in flight at once in one worker process, across all endpoints. */
  readonly webhookMaxInFlightPerWorker: number;
  readonly sweepIntervalMs: number;
  readonly sweepGraceMs: number;
  readonly workerConcurrency: number;
  /** Threads the worker renders PDFs in, off its event loop (0: on the event loop). */
  readonly pdfRenderThreads: number;
  /** Days kept of attempts, settled messages and processed Stripe events (invoices are kept forever). */
  readonly retentionDays: number;
  /** The worker's health and metrics port (0: any free port). */
  readonly workerHttpPort: number;
  /** Address the internal listeners bind: the api's metrics and the worker's health and metrics. */
  readonly metricsHost: string;
  /** The api's internal metrics port (0: any free port); the public port has no /metrics. */
  readonly apiMetricsPort: number;
  /** Proxies whose X-Forwarded-For is believed (IPs or CIDRs); empty: the client is the socket's peer. */
  readonly trustedProxies: string[];
  /** Requests per second per partner key on /v1. */
  readonly apiRateLimitPerSecond: number;
  /** Failed authentications per minute per client IP before it is refused. */
  readonly authFailuresPerMinute: number;
  readonly logLevel: RawConfig['LOG_LEVEL'];
  /** A file the JSON log lines are also appended to, from `log` up whatever logLevel is; undefined: stdout only. */
  readonly logFile: string | undefined;
  /** True when a value was invented because development left it unset. */
  readonly generated: string[];

  constructor(raw: RawConfig) {
    this.generated = [];
    this.env = raw.NODE_ENV;
    this.port = raw.PORT;
    this.databaseUrl = raw.DATABASE_URL;
    this.redisUrl = raw.REDIS_URL;
    this.redisCluster = raw.REDIS_CLUSTER_NODES;
    this.queuePrefix = raw.QUEUE_PREFIX;
    this.smtpUrl = raw.SMTP_URL;
    this.mailFrom = raw.MAIL_FROM;
    this.mailDir = raw.MAIL_DIR;
    if (raw.DKIM_DOMAIN && raw.DKIM_SELECTOR && raw.DKIM_PRIVATE_KEY) {
      this.dkim = { domainName: raw.DKIM_DOMAIN, keySelector: raw.DKIM_SELECTOR, privateKey: raw.DKIM_PRIVATE_KEY };
    }
    this.stripeSecretKey = raw.STRIPE_SECRET_KEY ?? this.invent('STRIPE_SECRET_KEY', 'sk_test_development');
    this.stripeLiveSecretKey = raw.STRIPE_LIVE_SECRET_KEY;
    this.stripeApiUrl = raw.STRIPE_API_URL;
    this.stripeWebhookSecretsDeprecatedName = raw.STRIPE_WEBHOOK_SECRETS !== undefined;
    this.stripeWebhookSecretsTest = raw.STRIPE_WEBHOOK_SECRETS_TEST ?? raw.STRIPE_WEBHOOK_SECRETS ?? [this.invent('STRIPE_WEBHOOK_SECRETS_TEST', 'whsec_development')];
    this.stripeWebhookSecretsLive = raw.STRIPE_WEBHOOK_SECRETS_LIVE ?? [];
    this.stripeEventMaxAttempts = raw.STRIPE_EVENT_MAX_ATTEMPTS;
    this.adminToken = raw.ADMIN_TOKEN ?? this.invent('ADMIN_TOKEN', 'dev-admin-token-change-me');
    this.publicBaseUrl = raw.PUBLIC_BASE_URL.replace(/\/+$/, '');
    this.portalDistDir = raw.PORTAL_DIST_DIR;
    this.encryptionKey = raw.ENCRYPTION_KEY
      ? Buffer.from(raw.ENCRYPTION_KEY, 'base64')
      : // The api and the worker must agree on the key, so development derives a fixed one.
        Buffer.from(this.invent('ENCRYPTION_KEY', createHash('sha256').update('comptappart-development').digest('base64')), 'base64');
    this.platformName = raw.PLATFORM_NAME;
    this.webhookTimeoutMs = raw.WEBHOOK_TIMEOUT_MS;
    this.webhookRetryBaseMs = raw.WEBHOOK_RETRY_BASE_MS;
    this.webhookMaxAttempts = raw.WEBHOOK_MAX_ATTEMPTS;
    this.webhookAllowPrivateNetworks = raw.WEBHOOK_ALLOW_PRIVATE_NETWORKS;
    this.webhookConnectTimeoutMs = raw.WEBHOOK_CONNECT_TIMEOUT_MS;
    this.webhookScheduleScale = raw.WEBHOOK_SCHEDULE_SCALE ?? Math.min(1, raw.WEBHOOK_RETRY_BASE_MS / 5000);
    this.webhookMaxInFlightPerWorker = raw.WEBHOOK_MAX_IN_FLIGHT_PER_WORKER;
    this.sweepIntervalMs = raw.SWEEP_INTERVAL_MS;
    this.sweepGraceMs = raw.SWEEP_GRACE_MS;
    this.workerConcurrency = raw.WORKER_CONCURRENCY;
    this.pdfRenderThreads = raw.PDF_RENDER_THREADS;
    this.retentionDays = raw.RETENTION_DAYS;
    this.workerHttpPort = raw.WORKER_HTTP_PORT;
    this.metricsHost = raw.METRICS_HOST;
    this.apiMetricsPort = raw.API_METRICS_PORT;
    this.trustedProxies = raw.TRUSTED_PROXIES ?? [];
    this.apiRateLimitPerSecond = raw.API_RATE_LIMIT_PER_SECOND;
    this.authFailuresPerMinute = raw.AUTH_FAILURES_PER_MINUTE;
    this.logLevel = raw.LOG_LEVEL;
    this.logFile = raw.LOG_FILE;
  }

  get isProduction(): boolean {
    return this.env === 'production';
  }

  /** Validates a plain record (process.env, or a test's overrides). */
  static fromEnv(env: Record<string, string | undefined>): AppConfig {
    const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
    const parsed = configSchema.safeParse(cleaned);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
    }
    return new AppConfig(parsed.data);
  }

  /** Reads `.env` (when present) then the process environment, which wins. */
  static load(): AppConfig {
    if (existsSync('.env')) process.loadEnvFile('.env');
    return AppConfig.fromEnv(process.env);
  }

  private invent(name: string, value: string): string {
    this.generated.push(name);
    return value;
  }
}
