import 'reflect-metadata';
import { AppConfig, ConfigError } from '@app/config';
import { createWorkerApp } from './bootstrap';

async function main(): Promise<void> {
  await createWorkerApp(AppConfig.load());
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
