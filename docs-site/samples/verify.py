"""Verify a ComptAppart webhook by hand in Python 3.10+ (standard library only)."""
import base64
import hashlib
import hmac
import json
import os
import sys
import time

TOLERANCE_SECONDS = 5 * 60


class InvalidWebhook(Exception):
    pass


def verify_webhook(raw_body: bytes, headers: dict, secret: str, now: int | None = None) -> dict:
    """Returns the parsed event when the signature is valid, raises InvalidWebhook otherwise.

    raw_body must be the exact bytes received (e.g. Flask's request.get_data()),
    never a re-serialised dict.
    """
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise InvalidWebhook("missing webhook headers")

    # Refuse old or future messages, so a captured request cannot be replayed later.
    now = int(time.time()) if now is None else now
    try:
        ts = int(timestamp)
    except ValueError:
        raise InvalidWebhook("bad timestamp")
    if abs(now - ts) > TOLERANCE_SECONDS:
        raise InvalidWebhook("timestamp outside tolerance")

    # The key is the base64 part of "whsec_..."; the signed content is "id.timestamp.body".
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + raw_body
    expected = hmac.new(key, signed, hashlib.sha256).digest()

    # One or more space-separated "v1,<base64>" entries (two during a secret rotation).
    for entry in signatures.split(" "):
        version, _, value = entry.partition(",")
        if version != "v1" or not value:
            continue
        try:
            received = base64.b64decode(value)
        except ValueError:
            continue
        if hmac.compare_digest(received, expected):
            return json.loads(raw_body)
    raise InvalidWebhook("no matching signature")


# Example with Flask: verify, answer 2xx fast, work afterwards.
#
#   @app.post("/webhooks/comptappart")
#   def comptappart_webhook():
#       headers = {k.lower(): v for k, v in request.headers.items()}
#       try:
#           event = verify_webhook(request.get_data(), headers, os.environ["COMPTAPPART_WEBHOOK_SECRET"])
#       except InvalidWebhook:
#           return "invalid signature", 400
#       enqueue(event, key=headers["webhook-id"])  # idempotent on webhook-id
#       return "", 204

if __name__ == "__main__":
    # Command line (used by the docs' tests): body on stdin, headers and secret in the environment.
    env = os.environ
    try:
        event = verify_webhook(sys.stdin.buffer.read(), {
            "webhook-id": env.get("WEBHOOK_ID"),
            "webhook-timestamp": env.get("WEBHOOK_TIMESTAMP"),
            "webhook-signature": env.get("WEBHOOK_SIGNATURE"),
        }, env["WEBHOOK_SECRET"])
        print("verified " + event["type"])
    except InvalidWebhook as err:
        print("rejected: " + str(err))
        sys.exit(1)
