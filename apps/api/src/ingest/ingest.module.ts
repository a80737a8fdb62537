import { Module } from '@nestjs/common';
import { StripeModule } from '@app/stripe';
import { InboxWriter } from './inbox-writer';
import { StripeIngestService } from './stripe-ingest.service';
import { StripeWebhookController } from './stripe-webhook.controller';

@Module({ imports: [StripeModule], controllers: [StripeWebhookController], providers: [InboxWriter, StripeIngestService], exports: [StripeIngestService] })
export class IngestModule {}
