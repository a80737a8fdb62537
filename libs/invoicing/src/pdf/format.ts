import type { InvoiceLocale } from './invoice-labels';

const INTL_LOCALES: Record<InvoiceLocale, string> = { fr: 'fr-FR', en: 'en-GB' };
/** Invoices are French legal documents: their dates are the dates in France, whatever the server's zone. */
const INVOICE_TIME_ZONE = 'Europe/Paris';

// Intl formatters are costly to build and are reused across every invoice of the process.
const moneyFormats = new Map<string, { format: Intl.NumberFormat; minorUnitsPerMajor: number }>();
const dateFormats = new Map<InvoiceLocale, Intl.DateTimeFormat>();
const percentFormats = new Map<InvoiceLocale, Intl.NumberFormat>();
const numberFormats = new Map<InvoiceLocale, Intl.NumberFormat>();
const regionNames = new Map<InvoiceLocale, Intl.DisplayNames>();

/** fr: `1 234,56 €` (with U+202F / U+00A0 spaces), en: `€1,234.56`. */
export function formatMoney(minorUnits: number, currency: string, locale: InvoiceLocale): string {
  const key = `${locale}:${currency}`;
  let entry = moneyFormats.get(key);
  if (!entry) {
    const format = new Intl.NumberFormat(INTL_LOCALES[locale], { style: 'currency', currency: currency.toUpperCase() });
    // Minor units follow the currency (2 for EUR, 0 for JPY), as Stripe's amounts do.
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    entry = { format, minorUnitsPerMajor: 10 ** digits };
    moneyFormats.set(key, entry);
  }
  return entry.format.format(minorUnits / entry.minorUnitsPerMajor);
}

/** fr: `21 novembre 2026`, en: `21 November 2026`. */
export function formatDate(date: Date, locale: InvoiceLocale): string {
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(INTL_LOCALES[locale], { dateStyle: 'long', timeZone: INVOICE_TIME_ZONE });
    dateFormats.set(locale, format);
  }
  return format.format(date);
}

/** `rate` is a percentage: fr `5,5 %`, en `5.5%`. */
export function formatVatRate(rate: number, locale: InvoiceLocale): string {
  let format = percentFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(INTL_LOCALES[locale], { style: 'percent', maximumFractionDigits: 2 });
    percentFormats.set(locale, format);
  }
  return format.format(rate / 100);
}

export function formatQuantity(quantity: number, locale: InvoiceLocale): string {
  let format = numberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(INTL_LOCALES[locale]);
    numberFormats.set(locale, format);
  }
  return format.format(quantity);
}

/** Addresses store ISO 3166 codes; anything else is printed as stored. */
export function formatCountry(country: string, locale: InvoiceLocale): string {
  const key = `${locale}:${country}`;
  let name = countryNames.get(key);
  if (name === undefined) {
    name = countryName(country, locale);
    // Bounded: two letters (26 × 26 codes, in either case) per locale; anything else is not stored.
    if (/^[A-Za-z]{2}$/.test(country)) countryNames.set(key, name);
  }
  return name;
}

/** Intl.DisplayNames.of costs more than a line of the invoice; every address asks for one of a few countries. */
const countryNames = new Map<string, string>();

function countryName(country: string, locale: InvoiceLocale): string {
  if (!/^[A-Za-z]{2}$/.test(country)) return country;
  let names = regionNames.get(locale);
  if (!names) {
    names = new Intl.DisplayNames([INTL_LOCALES[locale]], { type: 'region', fallback: 'code' });
    regionNames.set(locale, names);
  }
  return names.of(country.toUpperCase()) ?? country;
}

const unitPriceFormats = new Map<string, Intl.NumberFormat>();

/** A unit price excluding VAT may carry up to two more decimals than the currency (see FigureLine.unit_net). */
export function formatUnitPrice(minorUnits: number, currency: string, locale: InvoiceLocale): string {
  if (Number.isInteger(minorUnits)) return formatMoney(minorUnits, currency, locale);
  const key = `${locale}:${currency}`;
  let format = unitPriceFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(INTL_LOCALES[locale], { style: 'currency', currency: currency.toUpperCase(), maximumFractionDigits: 4 });
    unitPriceFormats.set(key, format);
  }
  formatMoney(0, currency, locale); // fills moneyFormats, which knows the currency's minor unit
  return format.format(minorUnits / moneyFormats.get(key)!.minorUnitsPerMajor);
}
