import { RecentCache } from './recent-cache';

describe('RecentCache', () => {
  it('keeps text that recurs while single-use text flows through, within twice a generation', () => {
    const cache = new RecentCache<string, number>(3);
    cache.set('Total', 1);
    for (let n = 0; n < 100; n++) {
      cache.set(`customer${n}@example.com`, n);
      expect(cache.get('Total')).toBe(1);
      expect(cache.size).toBeLessThanOrEqual(6);
    }
    expect(cache.get('customer0@example.com')).toBeUndefined();
    expect(cache.get('customer99@example.com')).toBe(99);
  });

  it('brings an entry of the old generation back into the young one when it is used', () => {
    const cache = new RecentCache<string, string>(2);
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.set('c', 'C'); // a and b are now old
    expect(cache.get('a')).toBe('A'); // back in the young generation, beside c
    cache.set('d', 'D'); // young (c, a) becomes old; b is dropped
    expect(cache.get('a')).toBe('A');
    expect(cache.get('b')).toBeUndefined();
  });

  it('holds null as a value (a text known not to take the fast path)', () => {
    const cache = new RecentCache<string, null>(2);
    cache.set('Łódź', null);
    expect(cache.get('Łódź')).toBeNull();
    expect(cache.get('Kraków')).toBeUndefined();
  });
});
