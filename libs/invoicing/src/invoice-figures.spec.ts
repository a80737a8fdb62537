import fc from 'fast-check';
import { allocate, invoiceFigures } from './invoice-figures';
import { computeInvoiceTotals } from './invoice-totals';

describe('invoiceFigures', () => {
  it('shares each rate’s base over its lines so they add up to it exactly (VAT-inclusive prices)', () => {
    // 3 x 0.01 € at 20 %: the base of 0.03 € is 0.03 (2.5 rounds up), tax 0.
    const { lines, totals } = invoiceFigures([
      { name: 'a', quantity: 1, unit_amount: 1, vat_rate: 20 },
      { name: 'b', quantity: 1, unit_amount: 1, vat_rate: 20 },
      { name: 'c', quantity: 1, unit_amount: 1, vat_rate: 20 },
      { name: 'd', quantity: 3, unit_amount: 999, vat_rate: 5.5 },
    ]);
    expect(totals.by_rate).toEqual([
      { rate: 20, base: 3, tax: 0, total: 3 },
      { rate: 5.5, base: 2841, tax: 156, total: 2997 },
    ]);
    expect(lines.map((l) => l.net_amount)).toEqual([1, 1, 1, 2841]);
    expect(lines[3].unit_net).toBe(947); // 2841 / 3
  });

  it('keeps two extra decimals on a unit price that does not divide evenly', () => {
    const { lines } = invoiceFigures([{ name: 'x', quantity: 3, unit_amount: 1000, vat_rate: 20 }]);
    // 3000 TTC -> 2500 HT -> 833.33 cents a unit.
    expect(lines[0]).toMatchObject({ net_amount: 2500, unit_net: 833.33 });
  });

  it('adds VAT per rate on the sum for VAT-exclusive prices', () => {
    const { lines, totals } = invoiceFigures(
      [
        { name: 'a', quantity: 3, unit_amount: 333, vat_rate: 20 },
        { name: 'b', quantity: 1, unit_amount: 1, vat_rate: 20 },
      ],
      false,
    );
    // Base 10.00 €, VAT 2.00 €: per line it would have been 2.00 + 0.00.
    expect(totals).toEqual({ excluding_tax: 1000, tax: 200, including_tax: 1200, by_rate: [{ rate: 20, base: 1000, tax: 200, total: 1200 }] });
    expect(lines.map((l) => [l.unit_net, l.net_amount])).toEqual([[333, 999], [1, 1]]);
  });

  it('on random baskets, line amounts always add up to each rate’s base, in both pricing modes', () => {
    const line = fc.record({
      name: fc.constant('l'),
      quantity: fc.integer({ min: 0, max: 100 }),
      unit_amount: fc.integer({ min: 0, max: 1_000_000 }),
      vat_rate: fc.constantFrom(20, 10, 8.5, 5.5, 2.1, 0),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.boolean(), (lines, inclusive) => {
        const { lines: figured, totals } = invoiceFigures(lines, inclusive);
        expect(totals).toEqual(computeInvoiceTotals(lines, { pricesIncludeTax: inclusive }));
        for (const rate of totals.by_rate) {
          const sum = figured.filter((l) => l.vat_rate === rate.rate).reduce((s, l) => s + l.net_amount, 0);
          expect(sum).toBe(rate.base);
        }
        expect(totals.excluding_tax + totals.tax).toBe(totals.including_tax);
        for (const l of figured) expect(Number.isInteger(l.net_amount) && l.net_amount >= 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('allocate', () => {
  it('splits in proportion, by largest remainder, to the exact amount', () => {
    expect(allocate(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    expect(allocate(10n, [0n, 5n, 5n])).toEqual([0n, 5n, 5n]);
    expect(allocate(7n, [0n, 0n])).toEqual([7n, 0n]);
    expect(allocate(0n, [])).toEqual([]);
  });
});
