import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { PathParamPipe } from '@app/errors';
import { InvoicingModule } from '@app/invoicing';
import { MailModule } from '@app/mail';
import { OrdersModule } from '@app/orders';
import { PartnersModule } from '@app/partners';
import { WebhooksModule } from '@app/webhooks';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { ApiKeysController } from './api-keys.controller';
import { CheckoutSessionsController } from './checkout-sessions.controller';
import { CreditNotesController } from './credit-notes.controller';
import { CustomersController } from './customers.controller';
import { EndpointsController } from './endpoints.controller';
import { EventTypesController } from './event-types.controller';
import { MessagesController } from './messages.controller';
import { OrdersController } from './orders.controller';
import { PaymentIntentsController } from './payment-intents.controller';
import { SubscriptionsController } from './subscriptions.controller';

@Module({
  imports: [PartnersModule, OrdersModule, InvoicingModule, WebhooksModule, MailModule],
  controllers: [
    ApiKeysController,
    EndpointsController,
    MessagesController,
    CheckoutSessionsController,
    CustomersController,
    PaymentIntentsController,
    SubscriptionsController,
    OrdersController,
    CreditNotesController,
    EventTypesController,
  ],
  providers: [
    IdempotencyRepository,
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
    // Global (admin routes too): every path parameter follows the text rule before a handler runs.
    { provide: APP_PIPE, useClass: PathParamPipe },
  ],
})
export class PartnerApiModule {}
