import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, ConfigModule } from '@app/config';
import { pinoParams } from '@app/observability';
import { DatabaseModule } from '@app/database';
import { DocumentStage, InvoicingModule } from '@app/invoicing';
import { MailModule } from '@app/mail';
import { OrdersModule } from '@app/orders';
import { QueueModule } from '@app/queue';
import { StripeModule } from '@app/stripe';
import { DeliveryDispatcher, WebhooksModule } from '@app/webhooks';
import { DeliveryProcessor } from './processors/delivery.processor';
import { EndpointDisabledEmailProcessor } from './processors/endpoint-disabled-email.processor';
import { QueueWorkersService } from './queue-workers.service';
import { StripeInboxStage } from './stripe-inbox.stage';
import { SweeperService } from './sweeper.service';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';
import { WorkerHttpServer } from './worker-http.server';

@Module({})
export class WorkerModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: (c: AppConfig) => pinoParams(c, 'worker') }),
        DatabaseModule,
        QueueModule,
        OrdersModule,
        StripeModule,
        InvoicingModule,
        MailModule,
        WebhooksModule,
      ],
      providers: [
        StripeInboxStage,
        DocumentStage,
        DeliveryProcessor,
        DeliveryDispatcher,
        EndpointDisabledEmailProcessor,
        SweeperService,
        QueueWorkersService,
        RetentionService,
        RetentionRepository,
        WorkerHttpServer,
      ],
    };
  }
}
