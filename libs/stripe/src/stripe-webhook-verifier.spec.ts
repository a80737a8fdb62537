import { createHmac } from 'node:crypto';
import { AppConfig } from '@app/config';
import { AppError } from '@app/errors';
import { StripeWebhookVerifier } from './stripe-webhook-verifier';

// Stripe's scheme, written out here so the test does not lean on the code it checks.
function sign(body: string, secret: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

const event = (livemode: unknown) => JSON.stringify({ id: 'evt_1', object: 'event', type: 'checkout.session.completed', livemode, data: { object: {} } });

function refusal(verifier: StripeWebhookVerifier, body: string, header: string): { code: string; message: string } | null {
  try {
    verifier.verify(Buffer.from(body), header);
    return null;
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, message: err.message };
    throw err;
  }
}

describe('StripeWebhookVerifier', () => {
  const verifier = new StripeWebhookVerifier(
    AppConfig.fromEnv({ STRIPE_WEBHOOK_SECRETS_TEST: 'whsec_test_new,whsec_test_old', STRIPE_WEBHOOK_SECRETS_LIVE: 'whsec_live_new,whsec_live_old' }),
  );

  it('accepts each mode with any of its own secrets, old ones included during a rotation', () => {
    for (const secret of ['whsec_test_new', 'whsec_test_old']) expect(verifier.verify(Buffer.from(event(false)), sign(event(false), secret)).livemode).toBe(false);
    for (const secret of ['whsec_live_new', 'whsec_live_old']) expect(verifier.verify(Buffer.from(event(true)), sign(event(true), secret)).livemode).toBe(true);
  });

  it('refuses a live event signed with a test secret, and a test event signed with a live one', () => {
    expect(refusal(verifier, event(true), sign(event(true), 'whsec_test_new'))?.code).toBe('stripe_mode_mismatch');
    expect(refusal(verifier, event(false), sign(event(false), 'whsec_live_old'))?.code).toBe('stripe_mode_mismatch');
  });

  it('refuses unknown secrets, a missing or malformed livemode, and says nothing of the secrets', () => {
    expect(refusal(verifier, event(true), sign(event(true), 'whsec_someone_else'))?.code).toBe('invalid_stripe_signature');
    for (const livemode of [undefined, 'true', 1, null]) {
      expect(refusal(verifier, event(livemode), sign(event(livemode), 'whsec_live_new'))).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('livemode') });
    }
    const mismatch = refusal(verifier, event(true), sign(event(true), 'whsec_test_new'))!;
    expect(mismatch.message).not.toContain('whsec_');
  });

  it('refuses ids and types that are not Stripe\'s, even signed, before they reach the database', () => {
    const body = (fields: object) => JSON.stringify({ id: 'evt_1', type: 'charge.refunded', livemode: false, ...fields });
    for (const [fields, field] of [[{ id: 'evt_\u0000' }, 'id'], [{ id: 'cs_test_1' }, 'id'], [{ id: `evt_${'a'.repeat(300)}` }, 'id'], [{ type: 'charge\u0000.refunded' }, 'type'], [{ type: 'x'.repeat(200) }, 'type'], [{ type: 42 }, 'type']] as const) {
      const b = body(fields);
      expect(refusal(verifier, b, sign(b, 'whsec_test_new'))).toMatchObject({ code: 'validation_failed', message: expect.stringContaining(field) });
    }
    for (const type of ['checkout.session.async_payment_succeeded', 'customer.subscription.updated', 'v1.billing.meter.error_report_triggered']) {
      const b = body({ type });
      expect(verifier.verify(Buffer.from(b), sign(b, 'whsec_test_new')).type).toBe(type);
    }
  });

  it('refuses a signature older than the tolerance, a header without v1, and accepts one v1 among several', () => {
    const body = event(false);
    const old = Math.floor(Date.now() / 1000) - 301;
    expect(refusal(verifier, body, sign(body, 'whsec_test_new', old))?.code).toBe('invalid_stripe_signature');
    const valid = sign(body, 'whsec_test_new');
    expect(refusal(verifier, body, valid.replace('v1=', 'v0='))?.code).toBe('invalid_stripe_signature');
    expect(refusal(verifier, body, 'garbage')?.code).toBe('invalid_stripe_signature');
    const [t, v1] = valid.split(',');
    expect(verifier.verify(Buffer.from(body), `${t},v1=${'0'.repeat(64)},${v1}`).json).toBe(body);
    expect(refusal(verifier, `${body} `, valid)?.code).toBe('invalid_stripe_signature');
  });

  it('refuses every live event when no live secret is configured', () => {
    const testOnly = new StripeWebhookVerifier(AppConfig.fromEnv({ STRIPE_WEBHOOK_SECRETS: 'whsec_only_test' }));
    expect(testOnly.verify(Buffer.from(event(false)), sign(event(false), 'whsec_only_test')).livemode).toBe(false);
    expect(refusal(testOnly, event(true), sign(event(true), 'whsec_only_test'))).toMatchObject({ code: 'stripe_mode_mismatch', message: expect.stringContaining('no live-mode webhook secret') });
  });
});
