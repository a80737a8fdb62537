import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The cookie that carries a portal session; HttpOnly, so no script of the page can read it. */
export const SESSION_COOKIE = 'ca_portal';
/** How long a sign-in link can be used: long enough to open an email or a chat message, short enough to leak little. */
export const LINK_TTL_MS = 15 * 60 * 1000;
/** A working day; then the partner asks for a new link. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

const LINK_TOKEN = /^pl_[A-Za-z0-9_-]{43}$/;
const SESSION_SECRET = /^ps_[A-Za-z0-9_-]{43}$/;

export const newLinkToken = () => `pl_${randomBytes(32).toString('base64url')}`;
export const newSessionSecret = () => `ps_${randomBytes(32).toString('base64url')}`;
export const isLinkToken = (s: string) => LINK_TOKEN.test(s);
export const isSessionSecret = (s: string) => SESSION_SECRET.test(s);

/** What is stored instead of a link token or a session secret. */
export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The session's CSRF token, derived from its secret: a page of the portal reads it from GET /portal/api/session
 * (same origin only) and echoes it in X-CSRF-Token; another site can make the browser send the cookie, not the header.
 * A one-way derivation, so the token (readable by the page's scripts) does not give the cookie away.
 */
export const csrfTokenOf = (sessionSecret: string) => createHash('sha256').update(`ca_portal csrf\0${sessionSecret}`).digest('base64url');

export function csrfMatches(sessionSecret: string, given: string | undefined): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfTokenOf(sessionSecret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The value of one cookie in a Cookie header (first occurrence), or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** SameSite=Strict: a link from another site does not arrive signed in, so it cannot act in the partner's name. */
export function sessionCookie(secret: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
