import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';

@Global()
@Module({})
export class ConfigModule {
  /** Pass a config to override the environment (tests); otherwise it is loaded and validated now. */
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: AppConfig, useValue: config ?? AppConfig.load() }],
      exports: [AppConfig],
    };
  }
}
