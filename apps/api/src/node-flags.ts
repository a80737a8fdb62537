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
 */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
