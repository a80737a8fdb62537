/**
 * Node flags the worker runs with, wherever it runs: `npm start` (scripts/start.ts), the benchmarks that fork it,
 * and the Docker image (docker-compose.yml's worker command; test/deploy-config.e2e-spec.ts keeps the copies
 * equal). They must be on node's command line, as the api's (apps/api/src/node-flags.ts): V8 sizes the young
 * generation as the heap is created. Flags given there also size the render threads' heaps (libs/invoicing/src/pdf).
 * The worker's other heap flag, --heap-growing-percent, is set from code (worker-heap.ts) and so holds in the
 * processes the tests and bench:delivery fork without these.
 *
 * MEASURED
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
