import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@app/config';
import { dataSourceOptions } from './data-source';
import { DatabaseProbeRepository } from './database-probe.repository';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => dataSourceOptions(config.databaseUrl),
    }),
  ],
  providers: [UnitOfWork, DatabaseProbeRepository],
  exports: [UnitOfWork, DatabaseProbeRepository],
})
export class DatabaseModule {}
