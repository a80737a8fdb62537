import { newId, newIds } from './ids';

describe('ids', () => {
  const shape = /^att_[0-9A-HJKMNP-TV-Zabcdefghijkmnpqrstvwxyz]{22}$/;

  it('makes a batch of ids of the same shape as one, all different', () => {
    const ids = newIds('att', 500);
    expect(ids).toHaveLength(500);
    for (const id of ids) expect(id).toMatch(shape);
    expect(newId('att')).toMatch(shape);
    expect(new Set(ids).size).toBe(500);
  });
});
