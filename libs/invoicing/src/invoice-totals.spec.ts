import { computeInvoiceTotals, InvoiceLineInput, lineTotal, unitAmountExcludingTax } from './invoice-totals';

const line = (unit_amount: number, vat_rate: number, quantity = 1): InvoiceLineInput => ({
  name: `item ${unit_amount} @ ${vat_rate}%`,
  quantity,
  unit_amount,
  vat_rate,
});

/** Seeded so a failing basket can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('computeInvoiceTotals', () => {
  it('extracts VAT at 20 %', () => {
    expect(computeInvoiceTotals([line(1200, 20)])).toEqual({
      excluding_tax: 1000,
      tax: 200,
      including_tax: 1200,
      by_rate: [{ rate: 20, base: 1000, tax: 200, total: 1200 }],
    });
  });

  it('extracts VAT at 5.5 % and 2.1 % without floating point error', () => {
    expect(computeInvoiceTotals([line(1055, 5.5)]).by_rate).toEqual([{ rate: 5.5, base: 1000, tax: 55, total: 1055 }]);
    expect(computeInvoiceTotals([line(1021, 2.1)]).by_rate).toEqual([{ rate: 2.1, base: 1000, tax: 21, total: 1021 }]);
    // 999 / 1.055 = 946.919...
    expect(computeInvoiceTotals([line(999, 5.5)]).by_rate).toEqual([{ rate: 5.5, base: 947, tax: 52, total: 999 }]);
  });

  it('rounds an exact half cent up', () => {
    // 3 / 1.2 = 2.5
    expect(computeInvoiceTotals([line(3, 20)]).by_rate[0]).toEqual({ rate: 20, base: 3, tax: 0, total: 3 });
  });

  it('charges no VAT at 0 %', () => {
    expect(computeInvoiceTotals([line(4990, 0, 2)])).toEqual({
      excluding_tax: 9980,
      tax: 0,
      including_tax: 9980,
      by_rate: [{ rate: 0, base: 9980, tax: 0, total: 9980 }],
    });
  });

  it('groups lines by rate, highest rate first, and rounds once per rate', () => {
    const totals = computeInvoiceTotals([
      line(1, 20),
      line(1055, 5.5),
      line(1, 20),
      line(500, 0),
      line(1, 20),
      line(1100, 10, 3),
      line(1, 20),
    ]);
    expect(totals.by_rate).toEqual([
      // Per line each cent would round to a 1-cent base (4 in all); per rate 4 / 1.2 = 3.33.
      { rate: 20, base: 3, tax: 1, total: 4 },
      { rate: 10, base: 3000, tax: 300, total: 3300 },
      { rate: 5.5, base: 1000, tax: 55, total: 1055 },
      { rate: 0, base: 500, tax: 0, total: 500 },
    ]);
    expect(totals).toMatchObject({ excluding_tax: 4503, tax: 356, including_tax: 4859 });
  });

  it('returns zeros for an empty invoice', () => {
    expect(computeInvoiceTotals([])).toEqual({ excluding_tax: 0, tax: 0, including_tax: 0, by_rate: [] });
  });

  it('always adds up to exactly what was charged, on random baskets', () => {
    const random = mulberry32(20261121);
    const rates = [20, 10, 8.5, 5.5, 2.1, 0];
    for (let basket = 0; basket < 500; basket++) {
      const lines = Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
        line(Math.floor(random() * 500_000), rates[Math.floor(random() * rates.length)], 1 + Math.floor(random() * 20)),
      );
      const totals = computeInvoiceTotals(lines);
      const charged = lines.reduce((sum, l) => sum + lineTotal(l), 0);

      expect(totals.including_tax).toBe(charged);
      expect(totals.excluding_tax + totals.tax).toBe(totals.including_tax);
      expect(totals.by_rate.reduce((sum, r) => sum + r.total, 0)).toBe(charged);
      for (const r of totals.by_rate) {
        expect(r.base + r.tax).toBe(r.total);
        // Within rounding of the exact value.
        expect(Math.abs(r.base - (r.total * 100) / (100 + r.rate))).toBeLessThanOrEqual(0.5 + 1e-9);
      }
      const sortedRates = totals.by_rate.map((r) => r.rate);
      expect(sortedRates).toEqual([...sortedRates].sort((a, b) => b - a));
    }
  });

  it.each([
    ['a negative quantity', line(100, 20, -1)],
    ['a negative unit amount', line(-100, 20)],
    ['a fractional unit amount', line(10.5, 20)],
    ['a fractional quantity', line(100, 20, 1.5)],
    ['a negative rate', line(100, -5)],
    ['a rate with three decimals', line(100, 5.555)],
  ])('rejects %s with a RangeError', (_, bad) => {
    expect(() => computeInvoiceTotals([line(100, 20), bad])).toThrow(RangeError);
  });
});

describe('lineTotal', () => {
  it('multiplies quantity by the VAT-inclusive unit amount', () => {
    expect(lineTotal(line(1999, 20, 3))).toBe(5997);
  });

  it('rejects a negative quantity', () => {
    expect(() => lineTotal(line(1999, 20, -3))).toThrow(RangeError);
  });
});

describe('unitAmountExcludingTax', () => {
  it('removes VAT from the unit price, rounded to the cent', () => {
    expect(unitAmountExcludingTax(line(1200, 20))).toBe(1000);
    expect(unitAmountExcludingTax(line(1055, 5.5))).toBe(1000);
    expect(unitAmountExcludingTax(line(999, 20))).toBe(833); // 832.5 rounds up
    expect(unitAmountExcludingTax(line(999, 0))).toBe(999);
  });
});
