/**
 * Deterministic pseudo-random numbers in [0, 1) (mulberry32) from a seed: a test or a benchmark that draws its inputs
 * from it renders the same documents in every run and every build, and a failure names a seed that replays it.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
