import { Module } from '@nestjs/common';
import { StripeModule } from '@app/stripe';
import { InboxWriter } from './inbox-writer';
import { StripeWebhookController } from './stripe-webhook.controller';

@Module({ imports: [StripeModule], controllers: [StripeWebhookController], providers: [InboxWriter] })
export class IngestModule {}
