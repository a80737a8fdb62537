/** Applies pending migrations once (docker compose runs it before the api and the worker). */
import { AppConfig, ConfigError } from '@app/config';
import { migrate } from '@app/database';

migrate(AppConfig.load().databaseUrl).then(
  (ran) => {
    console.log(ran.length ? `Migrations applied: ${ran.join(', ')}` : 'Database schema up to date');
    process.exit(0);
  },
  (err) => {
    console.error(err instanceof ConfigError ? err.message : `Migration failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
