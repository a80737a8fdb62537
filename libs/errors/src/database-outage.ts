/** Socket errors that mean the database could not be reached or dropped the connection. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs of a server going away or refusing connections for now:
 * 57P01 admin_shutdown (a restart), 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up), 53300 too_many_connections; every class 08 (connection exception) code.
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

// What node-postgres and its pool say when the socket ends under them, without a code.
const MESSAGES = /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error|Connection ended unexpectedly|read ECONNRESET|write EPIPE/;

/**
 * True when an error means "the database is unavailable right now": the request
 * is then answered 503 (Stripe and partners retry a 503, and would not retry
 * a 500 the same way). Looks through TypeORM's wrapper (`driverError`) and
 * `cause`, where the driver's error sits.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.driverError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}
