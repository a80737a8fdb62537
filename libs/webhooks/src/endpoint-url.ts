import type { Environment } from '@app/database';
import { forbiddenLiteralHost, withoutTrailingDots } from './ssrf-guard';

const LOCAL_NAMES = /^(localhost|.*\.localhost|.*\.local|.*\.internal)$/i;

/**
 * The rules a webhook URL must follow, as sentences a partner can act on.
 * Returns null when the URL is acceptable. Names are checked again at every
 * connection (ssrf-guard.ts); refusing obvious cases here gives the partner
 * the error when it registers the URL rather than at the first delivery.
 */
export function endpointUrlProblem(raw: string, environment: Environment, allowPrivateNetworks = false): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://example.com/webhooks';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https:// (or http:// in staging)';
  if (environment === 'production' && url.protocol !== 'https:') return 'must use https:// in production';
  if (url.username || url.password) return 'must not contain credentials; authenticate with the webhook signature instead';
  if (url.hash) return 'must not contain a #fragment';
  if (raw.length > 2048) return 'must be at most 2048 characters';
  if (!allowPrivateNetworks) {
    const literal = forbiddenLiteralHost(url);
    if (literal) return `must point to a public address (${literal.replace(/^refused: /, '')})`;
    if (LOCAL_NAMES.test(withoutTrailingDots(url.hostname))) return `must point to a public host name ("${url.hostname}" is local)`;
  }
  return null;
}
