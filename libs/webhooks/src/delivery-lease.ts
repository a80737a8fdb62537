/**
 * How long an endpoint stays leased to the worker process that took it. The worker renews the lease of every
 * endpoint it has sends there not recorded yet every LEASE_RENEW_EVERY_MS (so a send may last the whole
 * WEBHOOK_TIMEOUT_MS) and lets idle ones go; a dead worker stops renewing and its endpoints are free
 * ENDPOINT_LEASE_MS later. Every live worker looks for lapsed leases with due work on the same beat, so a delivery
 * held by a dead worker is sent again within about 7 s (6 s + 1 s and a claim), under the 10 s the engine promises.
 */
export const ENDPOINT_LEASE_MS = 6000;

/** Six beats per lease: five may be missed (a long GC pause, a slow commit) before another worker may re-send. */
export const LEASE_RENEW_EVERY_MS = 1000;
