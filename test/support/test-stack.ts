import { randomBytes } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import IORedis from 'ioredis';
import Stripe from 'stripe';
import { Client } from 'pg';
import { AppConfig } from '@app/config';
import { StripeEmulator } from '@app/stripe-emulator';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { createWorkerApp } from '../../apps/worker/src/bootstrap';
import { PartnerReceiver, SmtpCatcher } from '@app/dev-servers';
import { createScratchDatabase } from './scratch-database';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** The test-mode endpoint's secret; live-mode events are signed with STRIPE_LIVE_WEBHOOK_SECRET, as on Stripe. */
export const STRIPE_WEBHOOK_SECRET = 'whsec_test_stack_secret';
export const STRIPE_LIVE_WEBHOOK_SECRET = 'whsec_test_stack_live_secret';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface StackOptions {
  env?: Record<string, string>;
  /** Start the worker (default true). */
  worker?: boolean;
  /** Rewrites the scratch database URL the services use (e.g. to go through a proxy). */
  mapDatabaseUrl?: (url: string) => string;
}

/**
 * The whole service on real parts: a scratch PostgreSQL database, Redis under
 * a key prefix of its own, an SMTP server, a partner receiver and the Stripe
 * emulator, with the api listening on a real port and the worker consuming.
 */
export class TestStack {
  readonly emulator = new StripeEmulator();
  readonly smtp = new SmtpCatcher();
  readonly receiver = new PartnerReceiver();
  api!: NestFastifyApplication;
  worker?: INestApplicationContext;
  config!: AppConfig;
  apiUrl!: string;
  receiverUrl!: string;
  private dropDatabase?: () => Promise<void>;
  private db?: Client;

  static async start(opts: StackOptions = {}): Promise<TestStack> {
    const stack = new TestStack();
    await stack.boot(opts);
    return stack;
  }

  private async boot(opts: StackOptions): Promise<void> {
    const database = await createScratchDatabase();
    this.dropDatabase = database.drop;
    const [stripeUrl, smtpUrl, receiverUrl] = await Promise.all([this.emulator.start(), this.smtp.start(), this.receiver.start()]);
    this.receiverUrl = receiverUrl;
    this.config = AppConfig.fromEnv({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: opts.mapDatabaseUrl ? opts.mapDatabaseUrl(database.url) : database.url,
      REDIS_URL,
      QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
      SMTP_URL: smtpUrl,
      MAIL_FROM: 'ComptAppart <factures@comptappart.test>',
      STRIPE_SECRET_KEY: 'sk_test_emulator',
      STRIPE_LIVE_SECRET_KEY: 'sk_live_emulator',
      STRIPE_API_URL: stripeUrl,
      STRIPE_WEBHOOK_SECRETS_TEST: STRIPE_WEBHOOK_SECRET,
      STRIPE_WEBHOOK_SECRETS_LIVE: STRIPE_LIVE_WEBHOOK_SECRET,
      ADMIN_TOKEN,
      PUBLIC_BASE_URL: 'http://comptappart.test',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_RETRY_BASE_MS: '100',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      SWEEP_INTERVAL_MS: '500',
      SWEEP_GRACE_MS: '1000',
      WORKER_HTTP_PORT: '0',
      API_METRICS_PORT: '0',
      // Tests fire bursts on purpose; the rate-limit test sets its own limits.
      API_RATE_LIMIT_PER_SECOND: '10000',
      AUTH_FAILURES_PER_MINUTE: '10000',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
      // Set by the run's secret scan (jest.config.js globalSetup): every line the stack logs is scanned at the end.
      LOG_FILE: process.env.LOG_FILE,
      ...opts.env,
    });
    this.api = await createApiApp(this.config);
    await this.api.listen(0, '127.0.0.1');
    this.apiUrl = await this.api.getUrl();
    this.apiUrl = this.apiUrl.replace('[::1]', '127.0.0.1');
    this.emulator.setWebhook(`${this.apiUrl}/stripe/webhook`, STRIPE_WEBHOOK_SECRET, STRIPE_LIVE_WEBHOOK_SECRET);
    if (opts.worker !== false) this.worker = await createWorkerApp(this.config);
    this.db = new Client({ connectionString: database.url });
    await this.db.connect();
  }

  /**
   * The environment of an api or worker forked as its own process (dist/), sharing this stack's database, Redis
   * prefix, SMTP server, Stripe emulator and keys; `overrides` say what the test changes (sweeps, ports, prefix).
   */
  processEnv(overrides: Record<string, string> = {}): Record<string, string> {
    const c = this.config;
    return {
      NODE_ENV: 'test', DATABASE_URL: c.databaseUrl, REDIS_URL: c.redisUrl, QUEUE_PREFIX: c.queuePrefix,
      SMTP_URL: c.smtpUrl!, STRIPE_SECRET_KEY: 'sk_test_emulator', STRIPE_API_URL: c.stripeApiUrl!, STRIPE_WEBHOOK_SECRETS_TEST: STRIPE_WEBHOOK_SECRET,
      ADMIN_TOKEN, ENCRYPTION_KEY: c.encryptionKey.toString('base64'), WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_BASE_MS: '200',
      SWEEP_INTERVAL_MS: '500', SWEEP_GRACE_MS: '1000', WORKER_HTTP_PORT: '0', API_METRICS_PORT: '0', LOG_LEVEL: 'warn', PUBLIC_BASE_URL: 'http://comptappart.test',
      ...overrides,
    };
  }

  /** The official SDK on the emulator, with the key the service uses: what a test reads "on Stripe". */
  stripe(environment: 'staging' | 'production' = 'staging'): Stripe {
    const url = new URL(this.emulator.url);
    const key = environment === 'staging' ? 'sk_test_emulator' : 'sk_live_emulator';
    return new Stripe(key, { host: url.hostname, port: Number(url.port), protocol: 'http' });
  }

  async startWorker(): Promise<void> {
    if (!this.worker) this.worker = await createWorkerApp(this.config);
  }

  /** Runs SQL against the scratch database, for assertions. */
  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db!.query(text, params)).rows as T[];
  }

  async http(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const res = await fetch(this.apiUrl + path, {
      method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
    const buffer = Buffer.from(await res.arrayBuffer());
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: res.headers, buffer, json: isJson ? JSON.parse(buffer.toString('utf8')) : undefined };
  }

  async createPartner(overrides: Record<string, unknown> = {}) {
    const res = await this.http('POST', '/admin/partners', {
      token: ADMIN_TOKEN,
      body: {
        name: 'Atelier Lumière',
        legal_name: 'Atelier Lumière SAS',
        address: { line1: '12 rue des Lilas', postal_code: '75011', city: 'Paris', country: 'FR' },
        siren: '123456789',
        vat_number: 'FR12123456789',
        email: 'compta@atelier-lumiere.test',
        invoice_prefix: 'ATL',
        ...overrides,
      },
    });
    if (res.status !== 201) throw new Error(`createPartner: ${res.status} ${res.buffer.toString()}`);
    return res.json as { id: string; api_keys: { test: string; live: string } };
  }

  async createEndpoint(token: string, url = this.receiverUrl, body: Record<string, unknown> = {}) {
    const res = await this.http('POST', '/v1/endpoints', { token, body: { url, ...body } });
    if (res.status !== 201) throw new Error(`createEndpoint: ${res.status} ${res.buffer.toString()}`);
    return res.json as { id: string; secret: string };
  }

  async createCheckout(token: string, body: Record<string, unknown> = {}) {
    const res = await this.http('POST', '/v1/checkout-sessions', {
      token,
      body: {
        customer: { email: 'camille@example.test', name: 'Camille Martin' },
        line_items: [
          { name: 'Lampe Aurore', quantity: 2, unit_amount: 4990 },
          { name: 'Ampoule LED', quantity: 3, unit_amount: 590, vat_rate: 20 },
        ],
        success_url: 'https://shop.example.test/merci',
        partner_order_ref: 'CMD-1001',
        ...body,
      },
    });
    if (res.status !== 201) throw new Error(`createCheckout: ${res.status} ${res.buffer.toString()}`);
    return res.json as { order_id: string; checkout_session_id: string; url?: string; client_secret?: string };
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.api?.close();
    await Promise.allSettled([this.emulator.stop(), this.smtp.stop(), this.receiver.stop()]);
    await this.db?.end();
    await this.clearRedis();
    await this.dropDatabase?.();
  }

  private async clearRedis(): Promise<void> {
    const redis = new IORedis(this.config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.config.queuePrefix}:*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch {
      // Redis may be the thing a test stopped; nothing to clean then.
    } finally {
      redis.disconnect();
    }
  }
}
