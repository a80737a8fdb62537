// Verify a ComptAppart webhook with the `standardwebhooks` library (npm install standardwebhooks).
const { Webhook, WebhookVerificationError } = require('standardwebhooks');

/**
 * Returns the parsed event when the signature is valid, throws otherwise.
 * `rawBody` must be the exact bytes received (a string or Buffer), never a re-serialised object.
 */
function verifyWebhook(rawBody, headers, secret) {
  const wh = new Webhook(secret); // secret = "whsec_…" from POST /v1/endpoints
  return wh.verify(rawBody.toString('utf8'), {
    'webhook-id': headers['webhook-id'],
    'webhook-timestamp': headers['webhook-timestamp'],
    'webhook-signature': headers['webhook-signature'],
  });
}

// Example with Express: keep the raw body, verify, answer 2xx fast, work afterwards.
//
//   app.post('/webhooks/comptappart', express.raw({ type: 'application/json' }), (req, res) => {
//     let event;
//     try {
//       event = verifyWebhook(req.body, req.headers, process.env.COMPTAPPART_WEBHOOK_SECRET);
//     } catch (err) {
//       return res.status(400).send('invalid signature');
//     }
//     queue.add(event, { jobId: req.headers['webhook-id'] }); // idempotent on webhook-id
//     res.status(204).end();
//   });

module.exports = { verifyWebhook, WebhookVerificationError };

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
