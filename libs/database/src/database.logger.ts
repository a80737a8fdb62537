import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/** Enough of a statement to recognise it; a bulk insert or a stored Stripe event is not worth a 1 MB line. */
export const MAX_LOGGED_QUERY_CHARS = 500;

/** The fields of a PostgreSQL error that say what went wrong without carrying the row's values. */
interface DriverError {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  message?: string;
}

export function capQuery(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_LOGGED_QUERY_CHARS ? `${flat.slice(0, MAX_LOGGED_QUERY_CHARS)}… (${flat.length} chars)` : flat;
}

/**
 * PostgreSQL quotes the offending value in some messages ("invalid input
 * syntax for type uuid: \"…\""); those values are customers' emails, names and
 * secrets. Every parameter's text and every quoted value after a colon is cut.
 */
export function scrubMessage(message: string, parameters: unknown[]): string {
  let out = message;
  for (const p of parameters) {
    const text = p === null || p === undefined ? '' : typeof p === 'string' ? p : Buffer.isBuffer(p) ? '' : JSON.stringify(p);
    if (text && text.length >= 3) out = out.split(text).join('[parameter]');
  }
  return out.replace(/: "[^"]*"/g, ': "[value]"').replace(/=\(.*\)/g, '=([value])');
}

/**
 * TypeORM's database logging, sent through the application logger (pino in
 * the api and the worker, so redaction and JSON lines apply) instead of
 * TypeORM's own console output. Query parameters are never logged: they hold
 * customers' personal data, encrypted secrets and whole Stripe events.
 */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  logQuery(): void {
    // Every statement would be noise and a copy of the data; only failures and slow statements are logged.
  }

  logQueryError(error: string | Error, query: string, parameters?: unknown[] | object): void {
    const driver = (typeof error === 'string' ? { message: error } : ((error as { driverError?: DriverError }).driverError ?? error)) as DriverError & { detail?: string };
    const values = Array.isArray(parameters) ? parameters : parameters ? Object.values(parameters) : [];
    if (typeof error !== 'string') {
      // TypeORM builds the QueryFailedError it throws from this very object right after this call, so
      // scrubbing it here keeps the values out of every later message too (HTTP error log, job failures).
      if (driver.message) driver.message = scrubMessage(driver.message, values);
      if (driver.detail) driver.detail = scrubMessage(driver.detail, values);
    }
    const where = [driver.table && `table ${driver.table}`, driver.column && `column ${driver.column}`, driver.constraint && `constraint ${driver.constraint}`].filter(Boolean).join(', ');
    this.logger.error(
      `query failed: ${driver.code ?? 'no code'} ${scrubMessage(driver.message ?? String(error), values)}${where ? ` (${where})` : ''}; ${values.length} parameter(s) not logged; query: ${capQuery(query)}`,
    );
  }

  logQuerySlow(time: number, query: string, parameters?: unknown[] | object): void {
    const count = Array.isArray(parameters) ? parameters.length : parameters ? Object.keys(parameters).length : 0;
    this.logger.warn(`slow query: ${time} ms; ${count} parameter(s) not logged; query: ${capQuery(query)}`);
  }

  logSchemaBuild(): void {
    // Migration progress ("N migrations were found"): every test file migrates a scratch database, so it stays quiet.
  }

  logMigration(message: string): void {
    // TypeORM only reports failed migrations here.
    this.logger.error(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    if (level === 'warn') this.logger.warn(text);
    else this.logger.log(text);
  }
}
