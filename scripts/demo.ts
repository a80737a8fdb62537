/**
 * `npm run demo`: the whole story in one command, on real PostgreSQL and
 * Redis, with the Stripe emulator, an SMTP server and a partner receiver in
 * this process. Creates a partner, an endpoint and a checkout, pays it, and
 * shows what the partner and the customer received.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { AppConfig } from '@app/config';
import { migrate } from '@app/database';
import { PartnerReceiver, SmtpCatcher } from '@app/dev-servers';
import { StripeEmulator } from '@app/stripe-emulator';
import { createApiApp } from '../apps/api/src/bootstrap';
import { createWorkerApp } from '../apps/worker/src/bootstrap';

const ADMIN_TOKEN = 'demo-admin-token-0123456789';
const STRIPE_SECRET = 'whsec_demo_stripe_endpoint_secret';

async function recreateDatabase(base: string): Promise<string> {
  const url = new URL(base);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS comptappart_demo WITH (FORCE)');
  await admin.query('CREATE DATABASE comptappart_demo');
  await admin.end();
  url.pathname = '/comptappart_demo';
  return url.toString();
}

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const base = AppConfig.load();
  const step = (s: string) => console.log(`\n▸ ${s}`);
  step('Starting PostgreSQL database comptappart_demo, the Stripe emulator, an SMTP server and a partner receiver');
  const databaseUrl = await recreateDatabase(base.databaseUrl);
  await migrate(databaseUrl);
  const emulator = new StripeEmulator();
  const smtp = new SmtpCatcher();
  const receiver = new PartnerReceiver();
  const [stripeUrl, smtpUrl, receiverUrl] = await Promise.all([emulator.start(), smtp.start(), receiver.start()]);
  const config = AppConfig.fromEnv({
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    REDIS_URL: base.redisUrl,
    QUEUE_PREFIX: `demo${randomBytes(3).toString('hex')}`,
    SMTP_URL: smtpUrl,
    STRIPE_SECRET_KEY: 'sk_test_demo',
    STRIPE_API_URL: stripeUrl,
    STRIPE_WEBHOOK_SECRETS: STRIPE_SECRET,
    ADMIN_TOKEN,
    PUBLIC_BASE_URL: 'http://localhost:3000',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
    WORKER_HTTP_PORT: '0',
    API_METRICS_PORT: '0',
  });
  const api = await createApiApp(config);
  await api.listen(0, '127.0.0.1');
  const apiUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  emulator.setWebhook(`${apiUrl}/stripe/webhook`, STRIPE_SECRET);
  const worker = await createWorkerApp(config);

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, path: string, token: string, body?: unknown): Promise<any> => {
    const res = await fetch(apiUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  try {
    step('The operator creates a partner (POST /admin/partners)');
    const partner = await call('POST', '/admin/partners', ADMIN_TOKEN, {
      name: 'Atelier Lumière',
      legal_name: 'Atelier Lumière SAS',
      address: { line1: '12 rue des Lilas', postal_code: '75011', city: 'Paris', country: 'FR' },
      siren: '123456789',
      vat_number: 'FR12123456789',
      email: 'compta@atelier-lumiere.example',
      invoice_prefix: 'ATL',
    });
    console.log(`  partner ${partner.id}; staging key ${partner.api_keys.test.slice(0, 12)}…, production key ${partner.api_keys.live.slice(0, 12)}…`);

    step('The partner registers its staging webhook URL (POST /v1/endpoints)');
    const endpoint = await call('POST', '/v1/endpoints', partner.api_keys.test, { url: receiverUrl });
    console.log(`  endpoint ${endpoint.id} -> ${endpoint.url} (${endpoint.environment}), secret ${endpoint.secret.slice(0, 10)}…`);

    step('The partner asks for a checkout for a basket (POST /v1/checkout-sessions)');
    const checkout = await call('POST', '/v1/checkout-sessions', partner.api_keys.test, {
      customer: { email: 'camille@example.com', name: 'Camille Martin' },
      line_items: [
        { name: 'Lampe Aurore', quantity: 2, unit_amount: 4990 },
        { name: 'Ampoule LED', quantity: 3, unit_amount: 590 },
      ],
      success_url: 'https://atelier-lumiere.example/merci',
      partner_order_ref: 'CMD-1001',
    });
    console.log(`  order ${checkout.order_id}, Stripe session ${checkout.checkout_session_id}\n  customer pays at ${checkout.url}`);

    step('The customer pays; Stripe calls our webhook');
    const started = Date.now();
    await emulator.completeCheckoutSession(checkout.checkout_session_id);
    const paid = await until('order.paid', () => receiver.ofType('order.paid')[0]);
    const issued = await until('invoice.issued', () => receiver.ofType('invoice.issued')[0]);
    const mail = await until('the invoice email', () => smtp.messages[0]);
    console.log(`  all done in ${Date.now() - started} ms`);

    step('What the partner received (signatures verified with the standardwebhooks library)');
    const verifier = new Webhook(endpoint.secret);
    for (const hook of [paid, issued]) {
      const event = verifier.verify(hook.body, hook.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
      console.log(`  ${event.type}  webhook-id ${hook.headers['webhook-id']}  signature OK`);
    }
    const paidData = JSON.parse(paid.body).data;
    console.log(`  order.paid data: ${JSON.stringify({ id: paidData.id, status: paidData.status, amount_total: paidData.amount_total, invoice: paidData.invoice })}`);

    step('What the customer received');
    const attachment = mail.attachments[0];
    console.log(`  To: ${mail.to && !Array.isArray(mail.to) ? mail.to.text : ''}\n  Subject: ${mail.subject}\n  Attachment: ${attachment.filename} (${attachment.content.length} bytes)`);
    const dir = resolve('var', 'demo');
    await mkdir(dir, { recursive: true });
    const pdfPath = join(dir, attachment.filename ?? 'invoice.pdf');
    await writeFile(pdfPath, attachment.content);
    console.log(`  PDF written to ${pdfPath}`);
  } finally {
    await worker.close();
    await api.close();
    await Promise.allSettled([emulator.stop(), smtp.stop(), receiver.stop()]);
  }
  console.log('\nDemo complete.');
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`Demo failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
