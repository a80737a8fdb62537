import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { AppError } from '@app/errors';

export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

const EVENT_ID = /^evt_[A-Za-z0-9_]{1,250}$/;
const EVENT_TYPE = /^[a-z0-9_]+(?:\.[a-z0-9_]+){1,5}$/;

/** The fields of a verified event the ingest needs; the rest stays in the raw JSON. */
export interface VerifiedStripeEvent {
  id: string;
  type: string;
  livemode: boolean;
  /** The body as Stripe sent it, decoded once: stored as is, never re-serialised. */
  json: string;
}

/** `t=…,v1=…[,v1=…]` (Stripe's scheme): the signed timestamp and every v1 signature, or null when unusable. */
function parseSignatureHeader(header: string): { timestamp: number; signatures: Buffer[] } | null {
  let timestamp = NaN;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === 't') timestamp = Number(value);
    // A SHA-256 in hex is 64 characters; anything else can never match and is skipped.
    else if (key === 'v1' && value.length === 64 && /^[0-9a-f]+$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  return Number.isInteger(timestamp) && signatures.length > 0 ? { timestamp, signatures } : null;
}

/**
 * Checks `Stripe-Signature` over the raw bytes (HMAC-SHA256 of `{t}.{body}`,
 * Stripe's scheme, as `stripe.webhooks.constructEvent` does), then parses the
 * body once. Written out rather than through the SDK because this is the
 * ingest's hot path: the keys are imported once, the body is hashed as the
 * bytes received (the SDK decodes it and builds a second string to hash), and
 * the comparison is constant-time. Stripe signs test-mode and
 * live-mode events with different endpoint secrets, and the secret is the
 * only proof of the mode: an event is accepted only when a secret of its own
 * mode verifies it, so whoever holds the test secret (staging configs) cannot
 * mint a live payment, and with it an invoice in the legal series.
 */
@Injectable()
export class StripeWebhookVerifier {
  private readonly testKeys: KeyObject[];
  private readonly liveKeys: KeyObject[];

  constructor(private readonly config: AppConfig) {
    this.testKeys = config.stripeWebhookSecretsTest.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
    this.liveKeys = config.stripeWebhookSecretsLive.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
    if (config.stripeWebhookSecretsDeprecatedName) {
      new Logger('Config').warn(
        'STRIPE_WEBHOOK_SECRETS is deprecated and read as STRIPE_WEBHOOK_SECRETS_TEST: its secrets verify test-mode events only; ' +
          'rename it, and put live-mode secrets in STRIPE_WEBHOOK_SECRETS_LIVE',
      );
    }
  }

  verify(rawBody: Buffer, signatureHeader: string | undefined): VerifiedStripeEvent {
    if (!signatureHeader) throw new AppError('invalid_stripe_signature', 'The Stripe-Signature header is missing.');
    const signed = parseSignatureHeader(signatureHeader);
    // As the SDK: a timestamp older than the tolerance is a replay, whatever its signature.
    if (!signed || Math.floor(Date.now() / 1000) - signed.timestamp > STRIPE_SIGNATURE_TOLERANCE_SECONDS) throw new AppError('invalid_stripe_signature');
    const byTest = this.testKeys.some((key) => this.matches(rawBody, signed, key));
    const byLive = this.liveKeys.some((key) => this.matches(rawBody, signed, key));
    if (!byTest && !byLive) throw new AppError('invalid_stripe_signature');
    const json = rawBody.toString('utf8');
    let event: Partial<Record<keyof VerifiedStripeEvent, unknown>>;
    try {
      event = JSON.parse(json);
    } catch {
      throw new AppError('invalid_json', 'The event body is not valid JSON.');
    }
    // Checked strictly: both are stored as columns, and a NUL or a megabyte in one would reach PostgreSQL.
    if (typeof event?.id !== 'string' || !EVENT_ID.test(event.id)) throw AppError.validation([{ field: 'id', message: 'must be a Stripe event id (evt_…)' }]);
    if (typeof event.type !== 'string' || !EVENT_TYPE.test(event.type)) throw AppError.validation([{ field: 'type', message: 'must be a Stripe event type such as charge.refunded' }]);
    // Read from the verified body: the mode is what the signer claimed, and only its secret may claim it.
    if (typeof event.livemode !== 'boolean') throw AppError.validation([{ field: 'livemode', message: 'a Stripe event says true or false' }]);
    if (event.livemode ? !byLive : !byTest) {
      const mode = event.livemode ? 'live' : 'test';
      const configured = (event.livemode ? this.config.stripeWebhookSecretsLive : this.config.stripeWebhookSecretsTest).length > 0;
      throw new AppError(
        'stripe_mode_mismatch',
        configured
          ? `This ${mode}-mode event is not signed with a ${mode}-mode webhook secret; nothing was stored.`
          : `${mode === 'live' ? 'Live' : 'Test'}-mode events are not accepted here: no ${mode}-mode webhook secret is configured; nothing was stored.`,
      );
    }
    return { id: event.id, type: event.type, livemode: event.livemode, json };
  }

  private matches(rawBody: Buffer, signed: { timestamp: number; signatures: Buffer[] }, key: KeyObject): boolean {
    const expected = createHmac('sha256', key).update(`${signed.timestamp}.`).update(rawBody).digest();
    return signed.signatures.some((signature) => timingSafeEqual(signature, expected));
  }
}
