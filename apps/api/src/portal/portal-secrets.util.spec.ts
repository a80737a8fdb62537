import { clearedSessionCookie, cookieValue, csrfMatches, csrfTokenOf, isLinkToken, isSessionSecret, newLinkToken, newSessionSecret, sessionCookie } from './portal-secrets.util';

describe('portal secrets', () => {
  it('marks the cookie Secure in production only, always HttpOnly and SameSite=Strict', () => {
    const secret = newSessionSecret();
    expect(sessionCookie(secret, true)).toBe(`ca_portal=${secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800; Secure`);
    expect(sessionCookie(secret, false)).not.toContain('Secure');
    expect(clearedSessionCookie(true)).toBe('ca_portal=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure');
  });

  it('makes tokens and secrets of 256 random bits that the format checks accept, and nothing else', () => {
    const [link, session] = [newLinkToken(), newSessionSecret()];
    expect(isLinkToken(link) && isSessionSecret(session)).toBe(true);
    expect(isLinkToken(session) || isSessionSecret(link) || isLinkToken(`${link}x`) || isLinkToken('pl_')).toBe(false);
    expect(newLinkToken()).not.toBe(link);
  });

  it("derives the CSRF token from the session and accepts only that session's", () => {
    const [mine, theirs] = [newSessionSecret(), newSessionSecret()];
    expect(csrfMatches(mine, csrfTokenOf(mine))).toBe(true);
    expect(csrfMatches(mine, csrfTokenOf(theirs))).toBe(false);
    expect(csrfMatches(mine, undefined)).toBe(false);
    expect(csrfMatches(mine, '')).toBe(false);
    expect(csrfTokenOf(mine)).not.toContain(mine.slice(3));
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(cookieValue('a=1; ca_portal=ps_x; b=2', 'ca_portal')).toBe('ps_x');
    expect(cookieValue('xca_portal=1', 'ca_portal')).toBeNull();
    expect(cookieValue(undefined, 'ca_portal')).toBeNull();
  });
});
