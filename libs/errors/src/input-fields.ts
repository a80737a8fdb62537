import { domainToASCII } from 'node:url';
import { z } from 'zod';

/**
 * The field types every input schema is built from, so a rule about text,
 * dates or email addresses holds on every route at once, and bad input is a
 * 400 naming the field before anything is written or sent to Stripe.
 */

/**
 * Unicode control characters (category Cc: U+0000-U+001F, U+007F-U+009F, tab and
 * line breaks included) and unpaired surrogates. PostgreSQL refuses U+0000 in
 * text, a lone surrogate cannot be stored as UTF-8, and the rest have no place
 * in a name, reference, URL or label printed on an invoice or sent in an email.
 */
const CONTROL_OR_BROKEN = /[\p{Cc}\p{Cs}]/u;
export const TEXT_RULE = 'must not contain control characters (U+0000-U+001F, U+007F-U+009F) or unpaired surrogates';

/** A string free of control characters; chain `.trim()`, `.min()`, `.max()` as usual. */
export const text = () => z.string().refine((s) => !CONTROL_OR_BROKEN.test(s), TEXT_RULE);

/**
 * Dates both PostgreSQL `timestamptz` and JavaScript `Date` hold without surprise:
 * from 1970 (nothing in this service is older) to the end of year 9999 (the last
 * year ISO 8601 writes with four digits).
 */
export const EARLIEST_DATE = new Date('1970-01-01T00:00:00.000Z');
export const LATEST_DATE = new Date('9999-12-31T23:59:59.999Z');
export const isSaneDate = (d: Date) => !Number.isNaN(d.getTime()) && d >= EARLIEST_DATE && d <= LATEST_DATE;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const DATE_RULE = 'must be an ISO 8601 date-time such as 2026-11-21T10:00:00Z, between 1970 and 9999';

/** An ISO 8601 date or date-time (a string, in a query or a body), read as a Date. */
export const isoDate = () =>
  z
    .string({ message: DATE_RULE })
    .max(40, DATE_RULE)
    .regex(ISO_8601, DATE_RULE)
    .transform((s, ctx) => {
      const date = new Date(s);
      if (isSaneDate(date)) return date;
      ctx.addIssue({ code: 'custom', message: DATE_RULE });
      return z.NEVER;
    })
    .meta({ format: 'date-time' });

/** RFC 5322 dot-atom characters, plus any non-ASCII character (RFC 6531, internationalised local parts). */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\u{10FFFF}-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\u{10FFFF}-]+)*$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
export const EMAIL_RULE =
  'must be an email address such as camille@example.com (accented letters allowed, as in contact@café-crème.fr; no quoted local parts, IP literals or spaces)';

/**
 * The rule for email addresses (RFC 6531 as mail servers accept it today):
 * - a dot-atom local part of at most 64 bytes: letters, digits, ``!#$%&'*+/=?^_`{|}~-``
 *   and any non-ASCII letter; dots only between characters;
 * - a domain whose ASCII form (punycode, as `node:url` domainToASCII gives it) is a
 *   host name of at least two labels and at most 253 characters, ending in a
 *   letter-only or `xn--` top-level label.
 * Quoted local parts and `[IP]` domains are refused: no mailbox our partners
 * serve uses them. The address is stored as given, not converted.
 */
export function isEmailAddress(address: string): boolean {
  if (CONTROL_OR_BROKEN.test(address) || address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (Buffer.byteLength(local) > 64 || !LOCAL_PART.test(local)) return false;
  // domainToASCII does not check hyphens (WHATWG), IDNA does: no label may begin or end with one.
  if (domain.split('.').some((l) => l.startsWith('-') || l.endsWith('-'))) return false;
  const ascii = domainToASCII(domain);
  if (!ascii || ascii.length > 253 || ascii.endsWith('.')) return false;
  const labels = ascii.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && TOP_LEVEL.test(labels[labels.length - 1]);
}

export const email = () => z.string().max(254, EMAIL_RULE).refine(isEmailAddress, EMAIL_RULE).meta({ format: 'email' });
