import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { pinoParams } from '@app/observability';
import { QueueModule } from '@app/queue';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { HealthController } from './health/health.controller';
import { ApiMetricsServer } from './health/api-metrics.server';
import { BacklogGaugesRepository } from './health/backlog-gauges.repository';
import { IngestModule } from './ingest/ingest.module';
import { PartnerApiModule } from './partner-api/partner-api.module';
import { PortalModule } from './portal/portal.module';

@Module({})
export class ApiModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: (c: AppConfig) => pinoParams(c, 'api') }),
        DatabaseModule,
        QueueModule,
        AuthModule,
        IngestModule,
        PartnerApiModule,
        PortalModule,
        AdminModule,
      ],
      controllers: [HealthController],
      providers: [ApiMetricsServer, BacklogGaugesRepository],
    };
  }
}
