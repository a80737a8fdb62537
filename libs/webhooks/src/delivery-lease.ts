/**
 * How long a claimed delivery stays reserved to the worker that claimed it.
 * The worker renews the lease of every delivery it has not recorded yet every
 * LEASE_RENEW_EVERY_MS, so a send may last the whole WEBHOOK_TIMEOUT_MS; a
 * dead worker stops renewing and its deliveries are free DELIVERY_LEASE_MS
 * later. Every live worker looks for run-out leases on the same beat, so a
 * delivery held by a dead worker is sent again within about 7 s (6 s + 1 s
 * and a claim), under the 10 s the engine promises.
 */
export const DELIVERY_LEASE_MS = 6000;

/** Six beats per lease: five may be missed (a long GC pause, a slow commit) before another worker may re-send. */
export const LEASE_RENEW_EVERY_MS = 1000;
