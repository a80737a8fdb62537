import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the worker's heap grow past what survived the last full collection, in percent. Left to itself,
 * V8 looks at the machine, not at the process: with gigabytes free it allows up to 4×, and the worker kept ~150 MB of
 * heap for ~50 MB alive, most of its RSS over the 300 MB budget under load (issue #14). 1.5× is within what V8 itself
 * uses on memory-constrained devices (1.3× to 2×). Measured in bench:e2e at 30/s (1,800 events, same run): worker
 * peak RSS 391-408 MB before, 240-244 MB with it, for the same worker CPU per event (24-26 ms) despite more frequent
 * full collections.
 */
export const WORKER_HEAP_GROWING_PERCENT = 50;

/**
 * Applies the worker's heap policy to this process. V8 reads this flag at each collection, so setting it at startup
 * works however the worker is started (npm start, the Docker image, the benchmarks' forks) without a command-line
 * option to repeat in each of them; `--max-old-space-size` and `--max-semi-space-size`, in contrast, are only read
 * when the heap is created.
 */
export function boundWorkerHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${WORKER_HEAP_GROWING_PERCENT}`);
}
