import type { Params } from 'nestjs-pino';
import pino from 'pino';
import type { AppConfig } from '@app/config';
import { currentLogContext } from './log-context';

const PINO_LEVEL: Record<AppConfig['logLevel'], string> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Everything a log line must never carry: keys, tokens, signing secrets,
 * signatures. Censored wherever they appear in logged objects.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["stripe-signature"]',
  'req.headers["webhook-signature"]',
  'req.headers["idempotency-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.secret',
  '*.key',
  '*.api_keys',
  '*.password',
  '*.authorization',
];

/** nestjs-pino settings shared by the api and the worker: JSON lines with the log context mixed in. */
export function pinoParams(config: AppConfig, app: 'api' | 'worker'): Params {
  const options = {
    level: PINO_LEVEL[config.logLevel],
    base: { app },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => currentLogContext(),
    // Requests are logged by a Fastify hook (bootstrap.ts), which sees Fastify's request id.
    autoLogging: false,
  };
  if (!config.logFile) return { pinoHttp: options };
  // The file keeps every line from `log` up (more if LOG_LEVEL asks), whatever stdout is set to, so
  // what the service did can be read back; appended, so the api, the worker and restarts share it.
  const fileLevel = pino.levels.values[options.level] < pino.levels.values.info ? options.level : 'info';
  const streams = pino.multistream([
    { level: options.level, stream: process.stdout },
    { level: fileLevel, stream: pino.destination({ dest: config.logFile, append: true, mkdir: true, sync: false }) },
  ]);
  return { pinoHttp: [{ ...options, level: fileLevel }, streams] };
}
