/**
 * Node flags the worker runs with, wherever it runs: `npm start` (scripts/start.ts), the benchmarks that fork it,
 * and the Docker image (docker-compose.yml's worker command; test/deploy-config.e2e-spec.ts keeps the copies
 * equal). They must be on node's command line, as the api's (apps/api/src/node-flags.ts): V8 sizes the young
 * generation as the heap is created. Flags given there also size the render threads' heaps (libs/invoicing/src/pdf).
 * The worker's other heap flag, --heap-growing-percent, is set from code (worker-heap.ts) and so holds in the
 * processes the tests and bench:delivery fork without these.
 *
 * --max-semi-space-size=4: V8's default young generation (16 MB semi-spaces) stays resident once warm, in the
 * worker's heap and in each render thread's. Measured with bench:e2e, 6000 events at 100/s, one render thread
 * (2026-12-05, a shared 2-core machine at load 4-9, so latencies are noisy): worker peak RSS 340 MB without it, 288 and
 * 295 MB with it (the worker with its renders on its own event loop: 260-280 MB); worker CPU per event 8.6 ms without,
 * 9.5 and 10.6 ms with it (within the runs' noise: 9.2-10.2 ms for the same base build). The render thread has no
 * resourceLimits of its own: these flags size its heap too, its memory is inside the worker's peak RSS above, and
 * it was not measured apart.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
