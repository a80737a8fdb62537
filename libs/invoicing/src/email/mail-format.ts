import type { Locale } from '@app/database';

/*
 * The same formats as the PDF's (libs/invoicing/src/pdf/format.ts, internal to that library), so the email
 * writes each amount exactly as the attached invoice prints it. Formatters are built once per process.
 */
const INTL_LOCALES: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };
const INVOICE_TIME_ZONE = 'Europe/Paris';
const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}

const minorUnits = new Map<string, number>();

/** Cached too: resolvedOptions() builds a new object each call, a measurable share of an email's render. */
function minorUnitsPerMajor(currency: string, locale: Locale): number {
  const key = `${locale}:${currency}`;
  let units = minorUnits.get(key);
  if (units === undefined) {
    const f = cached(`m:${key}`, () => new Intl.NumberFormat(INTL_LOCALES[locale], { style: 'currency', currency: currency.toUpperCase() }));
    minorUnits.set(key, (units = 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2)));
  }
  return units;
}

export function formatMoney(minorUnits: number, currency: string, locale: Locale): string {
  const f = cached(`m:${locale}:${currency}`, () => new Intl.NumberFormat(INTL_LOCALES[locale], { style: 'currency', currency: currency.toUpperCase() }));
  return f.format(minorUnits / minorUnitsPerMajor(currency, locale));
}

/** A unit price excluding VAT may carry two more decimals than the currency, as on the PDF. */
export function formatUnitPrice(minorUnits: number, currency: string, locale: Locale): string {
  if (Number.isInteger(minorUnits)) return formatMoney(minorUnits, currency, locale);
  const f = cached(`u:${locale}:${currency}`, () => new Intl.NumberFormat(INTL_LOCALES[locale], { style: 'currency', currency: currency.toUpperCase(), maximumFractionDigits: 4 }));
  return f.format(minorUnits / minorUnitsPerMajor(currency, locale));
}

export function formatDate(date: Date, locale: Locale): string {
  return cached(`d:${locale}`, () => new Intl.DateTimeFormat(INTL_LOCALES[locale], { dateStyle: 'long', timeZone: INVOICE_TIME_ZONE })).format(date);
}

export function formatVatRate(rate: number, locale: Locale): string {
  return cached(`p:${locale}`, () => new Intl.NumberFormat(INTL_LOCALES[locale], { style: 'percent', maximumFractionDigits: 2 })).format(rate / 100);
}

export function formatQuantity(quantity: number, locale: Locale): string {
  return cached(`q:${locale}`, () => new Intl.NumberFormat(INTL_LOCALES[locale])).format(quantity);
}
