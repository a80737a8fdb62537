/**
 * A bounded map that keeps what was used lately, for text shaped or encoded once per process. Entries go into a
 * young generation; when it is full it becomes the old one and the previous old one is dropped; a hit in the old
 * generation brings the entry back into the young one. What recurs on every invoice (labels, a partner's product
 * names, amounts) stays; what is printed once (a number, a customer's email) leaves after two generations. Clearing
 * a single map when full, as before, kept up to the whole limit of single-use text alive: with distinct customers
 * that was tens of MB of worker heap (issue #14), for no hit.
 * Values must not be `undefined` (it means "absent"); `null` is a value.
 */
export class RecentCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  constructor(private readonly perGeneration: number) {}

  get(key: K): V | undefined {
    const value = this.young.get(key);
    if (value !== undefined) return value;
    const kept = this.old.get(key);
    if (kept !== undefined) this.set(key, kept);
    return kept;
  }

  set(key: K, value: V): void {
    if (this.young.size >= this.perGeneration) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
