export interface InvoiceLineInput {
  name: string;
  quantity: number;
  /** Unit price in minor units: VAT-inclusive unless the invoice declares VAT-exclusive prices. */
  unit_amount: number;
  /** Percent, e.g. 20, 5.5, 0. */
  vat_rate: number;
}

export interface VatBreakdown {
  rate: number;
  /** Excluding VAT. */
  base: number;
  tax: number;
  /** Including VAT. */
  total: number;
}

export interface InvoiceTotals {
  excluding_tax: number;
  tax: number;
  including_tax: number;
  /** Sorted by rate, highest first. */
  by_rate: VatBreakdown[];
}

/**
 * Rates are kept in hundredths of a percent (5.5 % -> 550) so 5.5, 2.1 or 8.5
 * divide exactly; 5.5 / 100 in floating point already is not 0.055.
 */
const RATE_SCALE = 100n;
const HUNDRED_PERCENT = 100n * RATE_SCALE;

export function lineTotal(line: InvoiceLineInput): number {
  assertValidLine(line);
  return toSafeNumber(BigInt(line.quantity) * BigInt(line.unit_amount), `total of line "${line.name}"`);
}

/** Unit price excluding VAT, for display only: invoice totals never add these up. */
export function unitAmountExcludingTax(line: InvoiceLineInput): number {
  assertValidLine(line);
  return Number(excludeTax(BigInt(line.unit_amount), scaledRate(line.vat_rate)));
}

/**
 * French practice: VAT is worked out once per rate on the sum of the lines at
 * that rate, not per line, so rounding happens once per rate. Starting from the
 * VAT-inclusive totals keeps `including_tax` equal to what the customer paid.
 */
export function computeInvoiceTotals(lines: InvoiceLineInput[], opts: { pricesIncludeTax?: boolean } = {}): InvoiceTotals {
  // A partner may declare VAT-exclusive prices (B2B): then the sums are bases and VAT is added per rate.
  const exclusive = opts.pricesIncludeTax === false;
  const totalsByRate = new Map<bigint, bigint>();
  for (const line of lines) {
    assertValidLine(line);
    const rate = scaledRate(line.vat_rate);
    const total = BigInt(line.quantity) * BigInt(line.unit_amount);
    totalsByRate.set(rate, (totalsByRate.get(rate) ?? 0n) + total);
  }

  const rates = [...totalsByRate.keys()].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  let base = 0n;
  let total = 0n;
  const by_rate = rates.map((rate): VatBreakdown => {
    const sum = totalsByRate.get(rate)!;
    const rateBase = exclusive ? sum : excludeTax(sum, rate);
    const rateTotal = exclusive ? sum + addedTax(sum, rate) : sum;
    base += rateBase;
    total += rateTotal;
    return {
      rate: Number(rate) / Number(RATE_SCALE),
      base: toSafeNumber(rateBase, 'VAT base'),
      tax: toSafeNumber(rateTotal - rateBase, 'VAT amount'),
      total: toSafeNumber(rateTotal, 'total'),
    };
  });

  return {
    excluding_tax: toSafeNumber(base, 'total excluding VAT'),
    tax: toSafeNumber(total - base, 'total VAT'),
    including_tax: toSafeNumber(total, 'total including VAT'),
    by_rate,
  };
}

/** round-half-up(base * rate / 100), exact for non-negative amounts. */
function addedTax(base: bigint, scaled: bigint): bigint {
  return (2n * base * scaled + HUNDRED_PERCENT) / (2n * HUNDRED_PERCENT);
}

/** round-half-up(amount * 100 / (100 + rate)), exact for non-negative amounts. */
function excludeTax(amountIncludingTax: bigint, scaled: bigint): bigint {
  const numerator = amountIncludingTax * HUNDRED_PERCENT;
  const denominator = HUNDRED_PERCENT + scaled;
  return (2n * numerator + denominator) / (2n * denominator);
}

function scaledRate(rate: number): bigint {
  const scaled = Math.round(rate * Number(RATE_SCALE));
  // A rate with more than two decimals is a data error, not something to round away.
  if (Math.abs(scaled - rate * Number(RATE_SCALE)) > 1e-6) {
    throw new RangeError(`VAT rate ${rate} has more than two decimals`);
  }
  return BigInt(scaled);
}

function assertValidLine(line: InvoiceLineInput): void {
  if (!Number.isSafeInteger(line.quantity) || line.quantity < 0) {
    throw new RangeError(`Quantity of line "${line.name}" must be a non-negative integer, got ${line.quantity}`);
  }
  if (!Number.isSafeInteger(line.unit_amount) || line.unit_amount < 0) {
    throw new RangeError(
      `Unit amount of line "${line.name}" must be a non-negative integer in minor units, got ${line.unit_amount}`,
    );
  }
  if (!Number.isFinite(line.vat_rate) || line.vat_rate < 0 || line.vat_rate >= 100) {
    throw new RangeError(`VAT rate of line "${line.name}" must be a percentage in [0, 100), got ${line.vat_rate}`);
  }
}

function toSafeNumber(value: bigint, what: string): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) {
    throw new RangeError(`Invoice ${what} ${value} exceeds the safe integer range`);
  }
  return result;
}
