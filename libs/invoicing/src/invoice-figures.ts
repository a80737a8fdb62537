import { computeInvoiceTotals, InvoiceLineInput, InvoiceTotals } from './invoice-totals';

/** One printed (and XML) invoice line, with the amounts excluding VAT an accountant reads. */
export interface FigureLine {
  name: string;
  quantity: number;
  vat_rate: number;
  /** Unit price excluding VAT in minor units; may carry two more decimals when the net amount does not divide evenly. */
  unit_net: number;
  /** Line amount excluding VAT in minor units (BT-131). The lines of one rate add up exactly to that rate's base. */
  net_amount: number;
}

export interface InvoiceFigures {
  lines: FigureLine[];
  totals: InvoiceTotals;
}

/**
 * Every amount a document shows, computed once: the PDF and the Factur-X XML
 * are both drawn from this, so no figure can differ between them.
 *
 * VAT-inclusive prices (B2C default): the VAT of each rate is extracted from
 * the rate's total, then the rate's base is shared over its lines in
 * proportion to their totals (largest remainder), so the line amounts add up
 * to the base to the cent, as EN 16931 (BR-S-08) requires.
 * VAT-exclusive prices: line amounts are quantity x unit price and VAT is
 * added per rate on the sum.
 */
export function invoiceFigures(lines: InvoiceLineInput[], pricesIncludeTax = true): InvoiceFigures {
  const totals = computeInvoiceTotals(lines, { pricesIncludeTax });
  if (!pricesIncludeTax) {
    return {
      totals,
      lines: lines.map((l) => ({ name: l.name, quantity: l.quantity, vat_rate: l.vat_rate, unit_net: l.unit_amount, net_amount: l.quantity * l.unit_amount })),
    };
  }
  const netByLine = new Array<number>(lines.length).fill(0);
  for (const rate of totals.by_rate) {
    const members = lines.map((l, i) => ({ i, total: BigInt(l.quantity) * BigInt(l.unit_amount) })).filter(({ i }) => lines[i].vat_rate === rate.rate);
    const shares = allocate(BigInt(rate.base), members.map((m) => m.total));
    members.forEach((m, k) => (netByLine[m.i] = Number(shares[k])));
  }
  return {
    totals,
    lines: lines.map((l, i) => ({
      name: l.name,
      quantity: l.quantity,
      vat_rate: l.vat_rate,
      unit_net: l.quantity === 0 ? 0 : Math.round((netByLine[i] * 100) / l.quantity) / 100,
      net_amount: netByLine[i],
    })),
  };
}

/**
 * Splits `amount` in proportion to `weights`, in whole units, so the parts add
 * up to `amount` exactly (largest remainder; ties go to the earlier part).
 */
export function allocate(amount: bigint, weights: bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (weights.length === 0) return [];
  if (sum === 0n) return weights.map((_, i) => (i === 0 ? amount : 0n));
  const parts = weights.map((w) => (amount * w) / sum);
  let left = amount - parts.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, rem: (amount * w) % sum }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (let k = 0; left > 0n; k = (k + 1) % order.length, left--) parts[order[k].i] += 1n;
  return parts;
}
