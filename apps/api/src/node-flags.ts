/**
 * Node flags the api runs with, wherever it runs: `npm start` (scripts/start.ts), the benchmarks that fork it,
 * and the Docker image (Dockerfile CMD and docker-compose.yml repeat them; test/deploy-config.e2e-spec.ts keeps
 * the copies equal). They must be on node's command line: V8 sizes its heap as the process starts, and
 * `v8.setFlagsFromString` called from main.ts afterwards left the young generation at 32 MB (measured).
 *
 * --max-semi-space-size=4: V8's default young generation (two 16 MB semi-spaces) stays resident once warm, and
 * the api's garbage is short-lived request data that a 4 MB semi-space collects as well. Measured with
 * bench:e2e at 30 events/s (2026-12-04, load ~9): api peak RSS 254 MB without it, 233 MB with it; idle RSS
 * 159 -> 146 MB.
 *
 * --heap-growing-percent=30: after each full collection V8 lets the old generation grow to a multiple of what
 * survived, and with gigabytes free it picks up to 4x: the api, ~70 MB alive, went to ~150 MB of heap before
 * collecting (sampled in bench:e2e at 30/s, falling back to ~68 MB each time). 1.3x is V8's own factor on
 * memory-constrained devices. Measured 2026-12-04, same session, alternating, load 3.5-5.5: bench:e2e api peak RSS
 * at 30/s 228 / 231 -> 168 / 165 MB, at 100/s 294 / 344 -> 170 / 171 MB, for the same api CPU per event; bench:ingest
 * 6905/s 118 us CPU/event against 6798/s 121 us without it. Not kept: --optimize-for-size
 * (peak 151 MB at 30/s, 149 MB at 100/s, but bench:ingest 4957/s 194 us CPU/event against 8828/s 91 us: it also
 * makes V8's compilers save memory over speed). Unlike the worker (apps/worker/src/worker-heap.ts, set from code)
 * it is on the command line with the other flag, so that all of the api's heap policy is in one list.
 */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=30'];
