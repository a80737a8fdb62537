// Verify a ComptAppart webhook by hand in Node.js (no dependency).
const crypto = require('node:crypto');

const TOLERANCE_SECONDS = 5 * 60;

/**
 * Returns the parsed event when the signature is valid, throws otherwise.
 * `rawBody` must be the exact bytes received, never a re-serialised object.
 */
function verifyWebhook(rawBody, headers, secret, nowSeconds = Math.floor(Date.now() / 1000)) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) throw new Error('missing webhook headers');

  // Refuse old or future messages, so a captured request cannot be replayed later.
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > TOLERANCE_SECONDS) throw new Error('timestamp outside tolerance');

  // The key is the base64 part of "whsec_…"; the signed content is "id.timestamp.body".
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8');
  const expected = crypto.createHmac('sha256', key)
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest();

  // The header holds one or more space-separated "v1,<base64>" entries (two during a secret rotation).
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const received = Buffer.from(value, 'base64');
    if (received.length === expected.length && crypto.timingSafeEqual(received, expected)) {
      return JSON.parse(body.toString('utf8'));
    }
  }
  throw new Error('no matching signature');
}

module.exports = { verifyWebhook };

// Command line (used by the docs' tests): body on stdin, headers and secret in the environment.
if (require.main === module) {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    const env = process.env;
    try {
      const event = verifyWebhook(Buffer.concat(chunks), {
        'webhook-id': env.WEBHOOK_ID,
        'webhook-timestamp': env.WEBHOOK_TIMESTAMP,
        'webhook-signature': env.WEBHOOK_SIGNATURE,
      }, env.WEBHOOK_SECRET);
      console.log(`verified ${event.type}`);
    } catch (err) {
      console.log(`rejected: ${err.message}`);
      process.exit(1);
    }
  });
}
