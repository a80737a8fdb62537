import { createHash, randomBytes } from 'node:crypto';
import type { Environment } from '@app/database';

const KEY_PREFIX: Record<Environment, string> = { staging: 'ca_test_', production: 'ca_live_' };

export function generateApiKey(environment: Environment): string {
  return KEY_PREFIX[environment] + randomBytes(24).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The environment a key acts on is written in the key itself, so it can be checked before any lookup. */
export function environmentOfKey(key: string): Environment | null {
  if (key.startsWith(KEY_PREFIX.staging)) return 'staging';
  if (key.startsWith(KEY_PREFIX.production)) return 'production';
  return null;
}

/** Enough of a key to tell keys apart in a listing, never enough to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, 12);
}
