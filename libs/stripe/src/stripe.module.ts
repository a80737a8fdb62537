import { Module } from '@nestjs/common';
import { StripeClient } from './stripe-client';
import { StripeWebhookVerifier } from './stripe-webhook-verifier';

@Module({ providers: [StripeClient, StripeWebhookVerifier], exports: [StripeClient, StripeWebhookVerifier] })
export class StripeModule {}
