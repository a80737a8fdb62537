import { Controller, Headers, HttpCode, Post, RawBodyRequest, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError } from '@app/errors';
import { metrics } from '@app/observability';
import { StripeWebhookVerifier } from '@app/stripe';
import { InboxWriter } from './inbox-writer';
import { ApiDoc } from '../openapi/api-doc.decorator';

/** Stripe ingest: verify, commit to the inbox, answer. No business work here. */
@Controller('stripe')
export class StripeWebhookController {
  constructor(
    private readonly verifier: StripeWebhookVerifier,
    private readonly inbox: InboxWriter,
  ) {}

  @ApiDoc('Stripe', 'stripe', { summary: 'Stripe webhook ingest (for Stripe, not partners)', description: 'Verifies Stripe-Signature over the raw body with a webhook secret of the event\'s own mode (test or live), commits the event to the inbox, answers. Bodies over 1 MiB: 413.', response: { status: 200, description: 'Committed (or already known)', example: { received: true, duplicate: false } }, errors: ['invalid_stripe_signature', 'stripe_mode_mismatch', 'validation_failed', 'invalid_json', 'payload_too_large', 'database_unavailable'] })
  @Post('webhook')
  @HttpCode(200)
  async receive(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('stripe-signature') signature?: string) {
    const raw = req.rawBody;
    if (!raw || raw.length === 0) throw new AppError('invalid_json', 'The event body is empty.');
    let event;
    try {
      event = this.verifier.verify(raw, signature);
    } catch (err) {
      metrics.stripeEventsReceived.inc({ type: 'unknown', outcome: 'rejected' });
      throw err;
    }
    const outcome = await this.inbox.accept({ ...event, json: raw.toString('utf8') });
    metrics.stripeEventsReceived.inc({ type: event.type, outcome });
    return { received: true, duplicate: outcome === 'duplicate' };
  }
}
