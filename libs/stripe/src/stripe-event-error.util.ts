const MAX_LENGTH = 500;

/**
 * Redactions applied to a processing error before it is stored or listed: errors from PostgreSQL, Stripe
 * or our own code can quote the values they choke on (a customer's email or name, a key, a card number).
 */
const REDACTIONS: [RegExp, string][] = [
  [/\b(?:whsec|sk_live|sk_test|rk_live|rk_test|pk_live|pk_test|ca_live|ca_test)_[A-Za-z0-9_]+/g, '[secret]'],
  [/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+/g, '[email]'],
  [/\b(?:\d[ -]?){8,}\d\b/g, '[number]'],
  // PostgreSQL quotes the offending value after a colon ("invalid input syntax for type integer: \"…\"")
  // and in `Key (email)=(…)`; constraint and column names, which say what broke, are kept.
  [/: "[^"]*"/g, ': "[value]"'],
  [/=\([^)]*\)/g, '=([value])'],
];

/** One line saying what failed (class, code, message), safe to keep in the inbox row and show to an operator. */
export function sanitizeProcessingError(err: unknown): string {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? ` ${e.code}` : '';
  let message = (typeof e.message === 'string' ? e.message : String(err)).split('\n')[0];
  for (const [pattern, replacement] of REDACTIONS) message = message.replace(pattern, replacement);
  const line = `${name}${code}: ${message}`;
  return line.length > MAX_LENGTH ? `${line.slice(0, MAX_LENGTH - 1)}…` : line;
}
