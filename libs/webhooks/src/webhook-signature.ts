import { createHmac, createSecretKey, KeyObject, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * Secrets decoded into HMAC keys once rather than per attempt (decoding the base64 and importing the key was most of
 * an attempt's signing cost); past MAX_KEYS the cache starts again.
 */
const keys = new Map<string, KeyObject>();
const MAX_KEYS = 10_000;

function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64'));
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

/**
 * `v1,<base64 HMAC-SHA256("id.timestamp.body")>`, keyed with the base64 part of
 * the secret, as Standard Webhooks specifies. `body` must be the exact bytes
 * sent: signing a re-serialised copy breaks verification on the partner side.
 */
export function signWebhook(secret: string, messageId: string, timestampSeconds: number, body: string | Buffer): string {
  // The body is hashed where it is, not copied into one "id.timestamp.body" string first.
  const mac = createHmac('sha256', keyOf(secret)).update(`${messageId}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

export function webhookHeaders(secrets: string[], messageId: string, timestampSeconds: number, body: string | Buffer): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'ComptAppart-Webhooks/1.0',
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => signWebhook(s, messageId, timestampSeconds, body)).join(' '),
  };
}
