import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig, ConfigError } from '@app/config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = AppConfig.load();
  if (config.generated.length > 0) {
    new Logger('Config').warn(`Development defaults in use for: ${config.generated.join(', ')}`);
  }
  const app = await createApiApp(config);
  await app.listen(config.port, '0.0.0.0');
  new Logger('Api').log(`Listening on ${config.port}`);
}

main().catch((err) => {
  // A bad configuration is a message for the operator, not a stack trace.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
