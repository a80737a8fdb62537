import { Injectable, Logger } from '@nestjs/common';
import Stripe from 'stripe';
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
}

interface SignatureHelper {
  verifyHeader(payload: Buffer, header: string, secret: string, tolerance: number): boolean;
}

/**
 * Checks `Stripe-Signature` over the raw bytes with the SDK's own
 * verification, then parses the body once. Stripe signs test-mode and
 * live-mode events with different endpoint secrets, and the secret is the
 * only proof of the mode: an event is accepted only when a secret of its own
 * mode verifies it, so whoever holds the test secret (staging configs) cannot
 * mint a live payment, and with it an invoice in the legal series.
 */
@Injectable()
export class StripeWebhookVerifier {
  private readonly signature = (Stripe.webhooks as unknown as { signature: SignatureHelper }).signature;

  constructor(private readonly config: AppConfig) {
    if (config.stripeWebhookSecretsDeprecatedName) {
      new Logger('Config').warn(
        'STRIPE_WEBHOOK_SECRETS is deprecated and read as STRIPE_WEBHOOK_SECRETS_TEST: its secrets verify test-mode events only; ' +
          'rename it, and put live-mode secrets in STRIPE_WEBHOOK_SECRETS_LIVE',
      );
    }
  }

  verify(rawBody: Buffer, signatureHeader: string | undefined): VerifiedStripeEvent {
    if (!signatureHeader) throw new AppError('invalid_stripe_signature', 'The Stripe-Signature header is missing.');
    const byTest = this.config.stripeWebhookSecretsTest.some((secret) => this.matches(rawBody, signatureHeader, secret));
    const byLive = this.config.stripeWebhookSecretsLive.some((secret) => this.matches(rawBody, signatureHeader, secret));
    if (!byTest && !byLive) throw new AppError('invalid_stripe_signature');
    let event: Partial<Record<keyof VerifiedStripeEvent, unknown>>;
    try {
      event = JSON.parse(rawBody.toString('utf8'));
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
    return { id: event.id, type: event.type, livemode: event.livemode };
  }

  private matches(rawBody: Buffer, header: string, secret: string): boolean {
    try {
      return this.signature.verifyHeader(rawBody, header, secret, STRIPE_SIGNATURE_TOLERANCE_SECONDS);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) return false;
      throw err;
    }
  }
}
