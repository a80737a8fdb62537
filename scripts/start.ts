/**
 * `npm start`: prepares the database, then runs the api and the worker as two
 * processes and stops both when either stops. In development without Stripe
 * settings it also runs the Stripe emulator, so a fresh checkout works with no
 * account and no key.
 */
import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { AppConfig, ConfigError } from '@app/config';
import { migrate } from '@app/database';
import { StripeEmulator } from '@app/stripe-emulator';
import { API_NODE_FLAGS } from '../apps/api/src/node-flags';
import { WORKER_NODE_FLAGS } from '../apps/worker/src/node-flags';

const EMULATOR_PORT = 12111;

async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      console.log(`Created database ${name}`);
    }
  } finally {
    await admin.end();
  }
}

async function main(): Promise<void> {
  const config = AppConfig.load();
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  let emulator: StripeEmulator | undefined;
  if (!config.isProduction && config.generated.includes('STRIPE_SECRET_KEY') && !config.stripeApiUrl) {
    emulator = new StripeEmulator({ port: EMULATOR_PORT });
    const url = await emulator.start();
    emulator.setWebhook(`http://127.0.0.1:${config.port}/stripe/webhook`, config.stripeWebhookSecretsTest[0], config.stripeWebhookSecretsLive[0]);
    childEnv.STRIPE_API_URL = url;
    console.log(`No Stripe key set: using the Stripe emulator at ${url} (customer pages at ${url}/pay/<session id>)`);
  }
  await ensureDatabase(config.databaseUrl);
  const ran = await migrate(config.databaseUrl);
  console.log(ran.length ? `Migrations applied: ${ran.join(', ')}` : 'Database schema up to date');

  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    void emulator?.stop();
    setTimeout(() => process.exit(code), 20_000).unref(); // the worker gets time to finish jobs in hand
    Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => process.exit(code));
  };
  for (const app of ['api', 'worker']) {
    const execArgv = [...process.execArgv, ...(app === 'api' ? API_NODE_FLAGS : WORKER_NODE_FLAGS)];
    const child = fork(join(__dirname, '..', 'apps', app, 'src', 'main.js'), [], { env: childEnv, execArgv, stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`${app} stopped (${signal ?? `exit code ${code}`}); stopping the other process`);
        stopAll(code || 1);
      }
    });
    children.push(child);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll(0));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `Cannot start: ${(err as Error).message}`);
  process.exit(1);
});
