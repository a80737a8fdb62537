import { randomBytes } from 'node:crypto';
import { AppConfig, ConfigError } from './app-config';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db:5432/comptappart',
  REDIS_URL: 'redis://redis:6379',
  SMTP_URL: 'smtp://mail:25',
  STRIPE_SECRET_KEY: 'sk_test_abc',
  STRIPE_WEBHOOK_SECRETS_TEST: 'whsec_a, whsec_b',
  ADMIN_TOKEN: 'a-long-enough-admin-token',
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

describe('AppConfig', () => {
  it('starts a development checkout with no setting at all', () => {
    const config = AppConfig.fromEnv({});
    expect(config.env).toBe('development');
    expect(config.smtpUrl).toBeUndefined();
    expect(config.generated).toEqual(expect.arrayContaining(['STRIPE_SECRET_KEY', 'ADMIN_TOKEN', 'ENCRYPTION_KEY']));
    // The api and the worker must derive the same development key.
    expect(AppConfig.fromEnv({}).encryptionKey.equals(config.encryptionKey)).toBe(true);
  });

  it('parses a complete production configuration', () => {
    const config = AppConfig.fromEnv(production);
    expect(config.stripeWebhookSecretsTest).toEqual(['whsec_a', 'whsec_b']);
    expect(config.stripeWebhookSecretsLive).toEqual([]);
    expect(config.generated).toEqual([]);
  });

  it('names every missing production variable', () => {
    const err = (() => {
      try {
        AppConfig.fromEnv({ NODE_ENV: 'production' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    for (const name of ['SMTP_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRETS_TEST', 'ADMIN_TOKEN', 'ENCRYPTION_KEY']) {
      expect(err!.message).toContain(`${name}: is required when NODE_ENV=production`);
    }
  });

  it('names a malformed variable with what it should look like', () => {
    expect(() => AppConfig.fromEnv({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
    expect(() => AppConfig.fromEnv({ STRIPE_WEBHOOK_SECRETS: 'whsec_ok,nope' })).toThrow(/STRIPE_WEBHOOK_SECRETS.*whsec_/);
    expect(() => AppConfig.fromEnv({ ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(/ENCRYPTION_KEY: must be 32 bytes/);
    expect(() => AppConfig.fromEnv({ PORT: '99999' })).toThrow(/PORT/);
  });

  it('reads Redis Cluster seed nodes and refuses a prefix without a hash tag', () => {
    const config = AppConfig.fromEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001', QUEUE_PREFIX: '{ca}' });
    expect(config.redisCluster).toEqual({ nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }], tls: false });
    const secured = AppConfig.fromEnv({ REDIS_CLUSTER_NODES: 'rediss://:s3cret@a.test:7000,rediss://:s3cret@b.test', QUEUE_PREFIX: 'x{ca}' });
    expect(secured.redisCluster).toMatchObject({ nodes: [{ host: 'a.test', port: 7000 }, { host: 'b.test', port: 6379 }], password: 's3cret', tls: true });
    expect(() => AppConfig.fromEnv({ REDIS_CLUSTER_NODES: 'redis://:a@x:1,redis://:b@y:1', QUEUE_PREFIX: '{ca}' })).toThrow(/same scheme and credentials/);
    expect(AppConfig.fromEnv({}).redisCluster).toBeUndefined();
    expect(() => AppConfig.fromEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000' })).toThrow(/QUEUE_PREFIX: must carry a hash tag/);
    expect(() => AppConfig.fromEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', QUEUE_PREFIX: 'ca{}' })).toThrow(/QUEUE_PREFIX/);
    expect(() => AppConfig.fromEnv({ REDIS_CLUSTER_NODES: '10.0.0.1', QUEUE_PREFIX: '{ca}' })).toThrow(/REDIS_CLUSTER_NODES: node 1 has no port/);
    // A bad entry is named by position: a URL may carry a password, which must not reach the logs.
    const err = (() => {
      try {
        AppConfig.fromEnv({ REDIS_CLUSTER_NODES: 'http://:s3cret@x:1', QUEUE_PREFIX: '{ca}' });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(err).toMatch(/REDIS_CLUSTER_NODES: node 1 is not host:port/);
    expect(err).not.toContain('s3cret');
  });

  it('keeps Stripe webhook secrets apart per mode, the old name meaning test mode only', () => {
    const split = AppConfig.fromEnv({ STRIPE_WEBHOOK_SECRETS_TEST: 'whsec_t1,whsec_t2', STRIPE_WEBHOOK_SECRETS_LIVE: 'whsec_l1, whsec_l2' });
    expect([split.stripeWebhookSecretsTest, split.stripeWebhookSecretsLive]).toEqual([['whsec_t1', 'whsec_t2'], ['whsec_l1', 'whsec_l2']]);
    expect(split.stripeWebhookSecretsDeprecatedName).toBe(false);
    const old = AppConfig.fromEnv({ STRIPE_WEBHOOK_SECRETS: 'whsec_old' });
    expect([old.stripeWebhookSecretsTest, old.stripeWebhookSecretsLive, old.stripeWebhookSecretsDeprecatedName]).toEqual([['whsec_old'], [], true]);
    expect(() => AppConfig.fromEnv({ STRIPE_WEBHOOK_SECRETS: 'whsec_a', STRIPE_WEBHOOK_SECRETS_TEST: 'whsec_b' })).toThrow(/STRIPE_WEBHOOK_SECRETS: is the deprecated name of STRIPE_WEBHOOK_SECRETS_TEST/);
    expect(() => AppConfig.fromEnv({ STRIPE_WEBHOOK_SECRETS_TEST: 'whsec_a,whsec_b', STRIPE_WEBHOOK_SECRETS_LIVE: 'whsec_b' })).toThrow(/STRIPE_WEBHOOK_SECRETS_LIVE: shares a secret/);
    expect(() => AppConfig.fromEnv({ STRIPE_WEBHOOK_SECRETS: 'whsec_a', STRIPE_WEBHOOK_SECRETS_LIVE: 'whsec_a' })).toThrow(/STRIPE_WEBHOOK_SECRETS_LIVE: shares a secret/);
    expect(() => AppConfig.fromEnv({ STRIPE_WEBHOOK_SECRETS_LIVE: 'sk_live_x' })).toThrow(/STRIPE_WEBHOOK_SECRETS_LIVE.*whsec_/);
    expect(AppConfig.fromEnv({ ...production, STRIPE_WEBHOOK_SECRETS_TEST: undefined, STRIPE_WEBHOOK_SECRETS: 'whsec_a' }).stripeWebhookSecretsTest).toEqual(['whsec_a']);
    expect(() => AppConfig.fromEnv({ ...production, STRIPE_LIVE_SECRET_KEY: 'sk_live_x' })).toThrow(/STRIPE_WEBHOOK_SECRETS_LIVE: is required when NODE_ENV=production and STRIPE_LIVE_SECRET_KEY is set/);
    expect(AppConfig.fromEnv({ ...production, STRIPE_LIVE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRETS_LIVE: 'whsec_l' }).stripeWebhookSecretsLive).toEqual(['whsec_l']);
  });

  it('refuses private-network webhooks in production', () => {
    expect(() => AppConfig.fromEnv({ ...production, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' })).toThrow(/WEBHOOK_ALLOW_PRIVATE_NETWORKS: cannot be true/);
  });

  it('refuses, in production, settings that shrink the delivery policy, naming the variable', () => {
    expect(() => AppConfig.fromEnv({ ...production, WEBHOOK_RETRY_BASE_MS: '4999' })).toThrow(/WEBHOOK_RETRY_BASE_MS: must be at least 5000 when NODE_ENV=production/);
    expect(() => AppConfig.fromEnv({ ...production, WEBHOOK_SCHEDULE_SCALE: '1' })).toThrow(/WEBHOOK_SCHEDULE_SCALE: cannot be set when NODE_ENV=production/);
    expect(AppConfig.fromEnv({ ...production, WEBHOOK_RETRY_BASE_MS: '5000' }).webhookScheduleScale).toBe(1);
    // Tests still compress it.
    expect(AppConfig.fromEnv({ NODE_ENV: 'test', WEBHOOK_RETRY_BASE_MS: '100' }).webhookScheduleScale).toBe(0.02);
  });

  it('binds the internal listeners to loopback by default and reads trusted proxies as IPs or CIDRs', () => {
    const config = AppConfig.fromEnv({});
    expect([config.metricsHost, config.apiMetricsPort, config.trustedProxies]).toEqual(['127.0.0.1', 3002, []]);
    expect(AppConfig.fromEnv({ TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7,::1' }).trustedProxies).toEqual(['10.0.0.0/8', '192.0.2.7', '::1']);
    expect(() => AppConfig.fromEnv({ TRUSTED_PROXIES: '10.0.0.0/8,proxy.internal' })).toThrow(/TRUSTED_PROXIES.*IP address or a CIDR/);
    expect(() => AppConfig.fromEnv({ API_METRICS_PORT: '70000' })).toThrow(/API_METRICS_PORT/);
  });
});
