import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '@app/config';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');

/**
 * The worker as its own OS process (the compiled dist/, as production runs
 * it), configured like the test stack, so a test can SIGKILL it mid-send.
 */
export class WorkerProcess {
  private child?: ChildProcess;
  /**
   * A private copy of dist/ (under the repository, so node_modules resolve):
   * other builds running meanwhile wipe and rewrite dist/, and a restart must
   * not pick up a half-written tree.
   */
  private copy?: string;

  constructor(
    private readonly config: AppConfig,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<void> {
    for (let tries = 1; ; tries++) {
      if (!this.copy) await this.snapshot();
      this.spawn();
      // Give it time to connect and start consuming.
      await new Promise((r) => setTimeout(r, 1500));
      if (this.child!.exitCode === null) return;
      // The copy caught a build half-way: take it again.
      rmSync(this.copy!, { recursive: true, force: true });
      this.copy = undefined;
      if (tries >= 5) throw new Error(`worker exited with ${this.child!.exitCode}`);
    }
  }

  remove(): void {
    if (this.copy) rmSync(this.copy, { recursive: true, force: true });
  }

  private async snapshot(): Promise<void> {
    const main = join(DIST, 'apps', 'worker', 'src', 'main.js');
    for (let i = 0; i < 120 && !existsSync(main); i++) await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 500));
    this.copy = join(ROOT, 'var', `delivery-worker-${randomBytes(4).toString('hex')}`);
    cpSync(DIST, this.copy, { recursive: true });
  }

  private spawn(): void {
    const c = this.config;
    this.child = spawn(process.execPath, [join(this.copy!, 'apps', 'worker', 'src', 'main.js')], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        DATABASE_URL: c.databaseUrl,
        REDIS_URL: c.redisUrl,
        QUEUE_PREFIX: c.queuePrefix,
        SMTP_URL: c.smtpUrl,
        STRIPE_SECRET_KEY: c.stripeSecretKey,
        STRIPE_API_URL: c.stripeApiUrl,
        STRIPE_WEBHOOK_SECRETS_TEST: c.stripeWebhookSecretsTest.join(','),
        ADMIN_TOKEN: c.adminToken,
        ENCRYPTION_KEY: c.encryptionKey.toString('base64'),
        PUBLIC_BASE_URL: c.publicBaseUrl,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_TIMEOUT_MS: String(c.webhookTimeoutMs),
        WEBHOOK_SCHEDULE_SCALE: String(c.webhookScheduleScale),
        SWEEP_INTERVAL_MS: String(c.sweepIntervalMs),
        SWEEP_GRACE_MS: String(c.sweepGraceMs),
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
        WORKER_HTTP_PORT: '0',
        ...this.env,
      },
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
