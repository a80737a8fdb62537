import type { LogLevel } from '@nestjs/common';
import type { AppConfig } from './app-config';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest takes the list of levels to print; LOG_LEVEL names the most verbose one. */
export function nestLogLevels(level: AppConfig['logLevel']): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
}
