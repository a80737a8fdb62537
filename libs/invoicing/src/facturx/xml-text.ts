/** Escapes text for XML element content and attribute values. */
export function xmlText(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ');
}

/** Minor units as a decimal string with `digits` decimals, exactly (no floating point): 123456 -> "1234.56". */
export function decimalOf(minor: number, digits: number): string {
  const negative = minor < 0;
  const abs = Math.abs(minor);
  if (digits === 0) return `${negative ? '-' : ''}${abs}`;
  const whole = Math.trunc(abs);
  const s = String(whole).padStart(digits + 1, '0');
  let out = `${s.slice(0, -digits)}.${s.slice(-digits)}`;
  const fraction = abs - whole;
  // A unit price may carry two more decimals than the currency (see FigureLine.unit_net).
  if (fraction > 0) out += String(Math.round(fraction * 100)).padStart(2, '0');
  return `${negative ? '-' : ''}${out}`;
}

/** Decimal places of a currency's minor unit (2 for EUR, 0 for JPY), as Stripe counts them. */
export function currencyDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = digitsByCurrency.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(code, digits);
  }
  return digits;
}

// Building an Intl formatter costs more than a whole line of the invoice.
const digitsByCurrency = new Map<string, number>();

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** `YYYYMMDD` (UN/CEFACT format 102), as the day in France. */
export function date102(date: Date): string {
  return dayFormat.format(date).replace(/-/g, '');
}
