import { newId, newIds, newSortableIds } from './ids';

describe('ids', () => {
  const shape = /^att_[0-9A-HJKMNP-TV-Zabcdefghijkmnpqrstvwxyz]{22}$/;

  it('makes a batch of ids of the same shape as one, all different', () => {
    const ids = newIds('att', 500);
    expect(ids).toHaveLength(500);
    for (const id of ids) expect(id).toMatch(shape);
    expect(newId('att')).toMatch(shape);
    expect(new Set(ids).size).toBe(500);
  });

  it('makes sortable ids of the same shape: a later batch sorts after an earlier one, bytewise', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 5) });
    try {
      const first = newSortableIds('att', 100);
      jest.setSystemTime(Date.UTC(2026, 11, 5) + 1);
      const next = newSortableIds('att', 100);
      for (const id of [...first, ...next]) expect(id).toMatch(shape);
      expect(new Set([...first, ...next]).size).toBe(200);
      const bytewise = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      expect([...first].sort(bytewise)[99] < [...next].sort(bytewise)[0]).toBe(true);
      // A year later still sorts after (the time's digits carry over).
      jest.setSystemTime(Date.UTC(2027, 11, 5));
      expect(newSortableIds('att', 1)[0] > next[99]).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
