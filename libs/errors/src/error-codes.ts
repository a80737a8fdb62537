/**
 * Every error a partner or operator can receive. Codes are stable: partners
 * branch on them, so a code is never renamed or reused for another meaning.
 */
export const ERROR_CATALOGUE = {
  validation_failed: { status: 400, message: 'The request is invalid; see `details` for each offending field.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_stripe_signature: { status: 400, message: 'The Stripe-Signature header is missing, malformed, stale or does not match any configured secret.' },
  stripe_mode_mismatch: { status: 400, message: 'The event was not signed with a webhook secret of its own mode (test or live); nothing was stored.' },
  unauthenticated: { status: 401, message: 'Missing or invalid credentials. Send `Authorization: Bearer <key>`.' },
  partner_disabled: { status: 403, message: 'This partner account is disabled.' },
  forbidden: { status: 403, message: 'This route is not open to a portal session: call it with an API key.' },
  csrf_failed: { status: 403, message: 'Missing or wrong X-CSRF-Token header: a portal session sends the csrf_token of GET /portal/api/session with every change.' },
  portal_link_invalid: { status: 400, message: 'This portal link is not valid: ask for a new one.' },
  portal_link_expired: { status: 410, message: 'This portal link has expired (links last 15 minutes): ask for a new one.' },
  portal_link_used: { status: 410, message: 'This portal link was already used (each link opens one session): ask for a new one.' },
  not_found: { status: 404, message: 'No such resource.' },
  route_not_found: { status: 404, message: 'No such route.' },
  conflict: { status: 409, message: 'The request conflicts with the current state.' },
  idempotency_key_reused: { status: 409, message: 'This Idempotency-Key was already used with another request body.' },
  idempotency_key_in_use: { status: 409, message: 'A request with this Idempotency-Key is still being processed; retry in a moment.' },
  payment_method_missing: { status: 409, message: 'The customer has no saved payment method; save one with a setup-mode checkout session first.' },
  payment_not_updatable: { status: 409, message: 'The payment can no longer be changed: the customer has already paid, or it was canceled.' },
  subscription_canceled: { status: 409, message: 'The subscription is already canceled.' },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  rate_limited: { status: 429, message: 'Too many requests; retry after the number of seconds in the Retry-After header.' },
  stripe_error: { status: 502, message: 'Stripe refused or failed the request.' },
  database_unavailable: { status: 503, message: 'The service is temporarily unavailable; retry later.' },
  internal_error: { status: 500, message: 'An unexpected error occurred. Quote the request_id to support.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
