import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseLogger } from './database.logger';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { MIGRATIONS } from '../../../migrations';

export function dataSourceOptions(databaseUrl: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // Through the application logger, never TypeORM's console output: it printed failed queries with their parameters.
    logger: new DatabaseLogger(),
    logging: ['error', 'warn', 'migration'],
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
  };
}

/** Runs pending migrations under an advisory lock, so concurrent starters never race. */
export async function migrate(databaseUrl: string): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(databaseUrl, 2) });
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock(7208451)');
    const ran = await ds.runMigrations({ transaction: 'each' });
    await ds.query('SELECT pg_advisory_unlock(7208451)');
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
