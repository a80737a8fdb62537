import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningSecret, webhookHeaders } from '@app/webhooks';
import { announceSkipped, onPath } from './support/optional-tool';

/**
 * The signature samples the partner docs show (docs-site/samples) are run here
 * against a request signed by our sender's own code: what partners copy works.
 */
const SAMPLES = join(__dirname, '..', 'docs-site', 'samples');

interface Runner {
  name: string;
  command: string;
  args: string[];
  /** The optional tool the sample needs and how to get it, when it is not on this machine; else null. */
  missing: { tool: string; how: string } | null;
}

const RUNNERS: Runner[] = [
  { name: 'Node with the standardwebhooks library', command: process.execPath, args: [join(SAMPLES, 'verify-standardwebhooks.js')], missing: null },
  { name: 'Node by hand', command: process.execPath, args: [join(SAMPLES, 'verify.js')], missing: null },
  { name: 'Python by hand', command: 'python3', args: [join(SAMPLES, 'verify.py')], missing: onPath('python3') ? null : { tool: 'python3', how: 'apt-get install -y python3' } },
  { name: 'PHP by hand', command: 'php', args: [join(SAMPLES, 'verify.php')], missing: onPath('php') ? null : { tool: 'php', how: 'apt-get install -y php-cli' } },
  { name: 'Go by hand', command: 'go', args: ['run', join(SAMPLES, 'verify.go')], missing: onPath('go') ? null : { tool: 'go', how: 'apt-get install -y golang' } },
];

// A body with non-ASCII characters: the samples must sign and read bytes, not re-serialised objects.
const body = JSON.stringify({
  type: 'order.paid',
  timestamp: new Date().toISOString(),
  data: {
    id: 'ord_docs_sample',
    environment: 'staging',
    status: 'paid',
    amount_total: 12_345,
    currency: 'eur',
    customer: { email: 'camille.martin@example.com', name: 'Camille Müller-Léger', stripe_customer_id: 'cus_123' },
    line_items: [{ name: 'Nuit — Chalet des Aravis « Le Bélvédère » 🏔', quantity: 1, unit_amount: 12_345, vat_rate: 10, amount_total: 12_345 }],
  },
});

function signed(secrets: string[], timestamp = Math.floor(Date.now() / 1000)) {
  const headers = webhookHeaders(secrets, 'msg_docs_sample_0001', timestamp, body);
  return { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] };
}

function run(runner: Runner, secret: string, request: ReturnType<typeof signed>, payload: string) {
  const result = spawnSync(runner.command, runner.args, {
    input: Buffer.from(payload, 'utf8'),
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      WEBHOOK_SECRET: secret,
      WEBHOOK_ID: request.id,
      WEBHOOK_TIMESTAMP: request.timestamp,
      WEBHOOK_SIGNATURE: request.signature,
      // `go run` needs a writable build cache even where HOME is not.
      GOCACHE: process.env.GOCACHE ?? mkdtempSync(join(tmpdir(), 'docs-go-cache-')),
    },
  });
  if (result.error) throw result.error;
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

describe('docs: webhook signature samples verify what our sender signs', () => {
  const secret = generateSigningSecret();

  for (const runner of RUNNERS) {
    if (runner.missing) {
      it.skip(`${runner.name}: needs ${runner.missing.tool}`, () => undefined);
      announceSkipped(`docs signature sample "${runner.name}"`, runner.missing.tool, runner.missing.how);
      continue;
    }

    describe(runner.name, () => {
      it('accepts a request signed by webhookHeaders()', () => {
        const result = run(runner, secret, signed([secret]), body);
        expect(result).toEqual({ status: 0, out: 'verified order.paid' });
      });

      it('accepts each of the two secrets during a rotation (two v1 entries)', () => {
        const newSecret = generateSigningSecret();
        const request = signed([secret, newSecret]);
        expect(request.signature.split(' ')).toHaveLength(2);
        expect(run(runner, secret, request, body).status).toBe(0);
        expect(run(runner, newSecret, request, body).status).toBe(0);
      });

      it('rejects a tampered body', () => {
        const tampered = body.replace('"amount_total":12345', '"amount_total":1');
        expect(tampered).not.toBe(body);
        const result = run(runner, secret, signed([secret]), tampered);
        expect(result.status).toBe(1);
        expect(result.out).toMatch(/^rejected: /);
      });

      it('rejects another secret and a stale timestamp', () => {
        expect(run(runner, generateSigningSecret(), signed([secret]), body).status).toBe(1);
        const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
        expect(run(runner, secret, signed([secret], tenMinutesAgo), body).status).toBe(1);
      });
    });
  }
});
