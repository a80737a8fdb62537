import { Controller, Headers, HttpCode, Post, RawBodyRequest, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { StripeIngestService } from './stripe-ingest.service';

/**
 * Declares the Stripe route and documents it. At run time the api serves it without Nest's pipeline
 * (stripe-webhook.route.ts swaps in a plain Fastify handler calling the same service); this method is what
 * answers if that swap is not installed (an app built without createApiApp).
 */
@Controller('stripe')
export class StripeWebhookController {
  constructor(private readonly ingest: StripeIngestService) {}

  @ApiDoc('Stripe', 'stripe', { summary: 'Stripe webhook ingest (for Stripe, not partners)', description: 'Verifies Stripe-Signature over the raw body with a webhook secret of the event\'s own mode (test or live), commits the event to the inbox, answers. Bodies over 1 MiB: 413.', response: { status: 200, description: 'Committed (or already known)', example: { received: true, duplicate: false } }, errors: ['invalid_stripe_signature', 'stripe_mode_mismatch', 'validation_failed', 'invalid_json', 'payload_too_large', 'database_unavailable'] })
  @Post('webhook')
  @HttpCode(200)
  async receive(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('stripe-signature') signature?: string) {
    const outcome = await this.ingest.receive(req.rawBody, signature);
    return { received: true, duplicate: outcome === 'duplicate' };
  }
}
