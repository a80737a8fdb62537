<?php
// Verify a ComptAppart webhook by hand in PHP (7.4+; no extension beyond hash).

const TOLERANCE_SECONDS = 300;

/**
 * Returns the decoded event when the signature is valid, throws otherwise.
 * $rawBody must be the exact bytes received: file_get_contents('php://input').
 */
function verify_webhook(string $rawBody, array $headers, string $secret, ?int $now = null): array
{
    $id = $headers['webhook-id'] ?? '';
    $timestamp = $headers['webhook-timestamp'] ?? '';
    $signatures = $headers['webhook-signature'] ?? '';
    if ($id === '' || $timestamp === '' || $signatures === '') {
        throw new RuntimeException('missing webhook headers');
    }

    // Refuse old or future messages, so a captured request cannot be replayed later.
    $now = $now ?? time();
    if (!preg_match('/^[0-9]+$/', $timestamp) || abs($now - (int) $timestamp) > TOLERANCE_SECONDS) {
        throw new RuntimeException('timestamp outside tolerance');
    }

    // The key is the base64 part of "whsec_..."; the signed content is "id.timestamp.body".
    $key = base64_decode(preg_replace('/^whsec_/', '', $secret), true);
    $expected = base64_encode(hash_hmac('sha256', $id . '.' . $timestamp . '.' . $rawBody, $key, true));

    // One or more space-separated "v1,<base64>" entries (two during a secret rotation).
    foreach (explode(' ', $signatures) as $entry) {
        $parts = explode(',', $entry, 2);
        if (count($parts) === 2 && $parts[0] === 'v1' && hash_equals($expected, $parts[1])) {
            return json_decode($rawBody, true, 512, JSON_THROW_ON_ERROR);
        }
    }
    throw new RuntimeException('no matching signature');
}

// In a web request:
//   $headers = array_change_key_case(getallheaders(), CASE_LOWER);
//   try {
//       $event = verify_webhook(file_get_contents('php://input'), $headers, getenv('COMPTAPPART_WEBHOOK_SECRET'));
//   } catch (Throwable $e) {
//       http_response_code(400);
//       exit;
//   }
//   enqueue($event, $headers['webhook-id']); // idempotent on webhook-id
//   http_response_code(204);

// Command line (used by the docs' tests): body on stdin, headers and secret in the environment.
if (PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
    try {
        $event = verify_webhook(stream_get_contents(STDIN), [
            'webhook-id' => getenv('WEBHOOK_ID') ?: '',
            'webhook-timestamp' => getenv('WEBHOOK_TIMESTAMP') ?: '',
            'webhook-signature' => getenv('WEBHOOK_SIGNATURE') ?: '',
        ], getenv('WEBHOOK_SECRET') ?: '');
        echo 'verified ' . $event['type'] . PHP_EOL;
    } catch (Throwable $e) {
        echo 'rejected: ' . $e->getMessage() . PHP_EOL;
        exit(1);
    }
}
