import 'reflect-metadata';
import { AppConfig, ConfigError } from '@app/config';
import { createWorkerApp } from './bootstrap';
import { boundWorkerHeapGrowth } from './worker-heap';

async function main(): Promise<void> {
  boundWorkerHeapGrowth();
  await createWorkerApp(AppConfig.load());
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
