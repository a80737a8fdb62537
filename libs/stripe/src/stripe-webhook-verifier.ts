import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AppConfig } from '@app/config';
import { AppError } from '@app/errors';

export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

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
 * Checks `Stripe-Signature` over the raw bytes against every configured
 * secret (test mode, live mode, and old ones during a rotation), with the
 * SDK's own verification, then parses the body once.
 */
@Injectable()
export class StripeWebhookVerifier {
  private readonly signature = (Stripe.webhooks as unknown as { signature: SignatureHelper }).signature;

  constructor(private readonly config: AppConfig) {}

  verify(rawBody: Buffer, signatureHeader: string | undefined): VerifiedStripeEvent {
    if (!signatureHeader) throw new AppError('invalid_stripe_signature', 'The Stripe-Signature header is missing.');
    if (!this.config.stripeWebhookSecrets.some((secret) => this.matches(rawBody, signatureHeader, secret))) {
      throw new AppError('invalid_stripe_signature');
    }
    let event: Partial<VerifiedStripeEvent>;
    try {
      event = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new AppError('invalid_json', 'The event body is not valid JSON.');
    }
    if (typeof event.id !== 'string' || !event.id.startsWith('evt_') || typeof event.type !== 'string') {
      throw AppError.validation([{ field: 'id', message: 'a Stripe event needs an evt_ id and a type' }]);
    }
    return { id: event.id, type: event.type, livemode: event.livemode === true };
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
