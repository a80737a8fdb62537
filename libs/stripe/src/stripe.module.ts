import { Module } from '@nestjs/common';
import { StripeClient } from './stripe-client';
import { StripeEventRepository } from './stripe-event.repository';
import { StripeWebhookVerifier } from './stripe-webhook-verifier';

const PROVIDERS = [StripeClient, StripeWebhookVerifier, StripeEventRepository];

@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class StripeModule {}
