import { Injectable } from '@nestjs/common';
import { Environment, Partner, PortalSession, scopeFromPortalSession } from '@app/database';
import { AppError, ErrorCode } from '@app/errors';
import { AuthenticatedPartner, PartnerService } from '@app/partners';
import { PortalLinkRepository } from './portal-link.repository';
import { PortalSessionRepository } from './portal-session.repository';
import { isLinkToken, isSessionSecret, newSessionSecret, SESSION_TTL_MS, sha256Hex } from './portal-secrets.util';

/** How presenting a link ended: a new session (its secret goes into the cookie), or why not. */
export type LinkOpening =
  | { kind: 'opened'; secret: string; session: PortalSession }
  | { kind: 'refused'; code: Extract<ErrorCode, 'portal_link_invalid' | 'portal_link_expired' | 'portal_link_used' | 'partner_disabled'> };

export interface VerifiedSession {
  session: PortalSession;
  partner: Partner;
}

/** A request authenticated by a portal session: the tenant scope /v1 handlers receive, and the session behind it. */
export interface PortalAuthentication {
  auth: AuthenticatedPartner;
  session: PortalSession;
}

/**
 * Browser sessions of the partner portal. A session gives the same access as the partner's API keys to /v1, for
 * both environments of its one partner, minus minting keys and links (see PartnerAuthGuard).
 */
@Injectable()
export class PortalSessionService {
  constructor(
    private readonly links: PortalLinkRepository,
    private readonly sessions: PortalSessionRepository,
    private readonly partners: PartnerService,
  ) {}

  async open(token: string): Promise<LinkOpening> {
    if (!isLinkToken(token)) return { kind: 'refused', code: 'portal_link_invalid' };
    const use = await this.links.use(sha256Hex(token));
    if (use.kind === 'unknown') return { kind: 'refused', code: 'portal_link_invalid' };
    if (use.kind === 'expired') return { kind: 'refused', code: 'portal_link_expired' };
    if (use.kind === 'used') return { kind: 'refused', code: 'portal_link_used' };
    const { link } = use;
    const partner = await this.partners.get(link.partnerId);
    if (partner.disabledAt) return { kind: 'refused', code: 'partner_disabled' };
    const secret = newSessionSecret();
    const session = await this.sessions.insert(scopeFromPortalSession(link, link.environment), sha256Hex(secret), link.id, new Date(Date.now() + SESSION_TTL_MS));
    return { kind: 'opened', secret, session };
  }

  /**
   * The cookie's session and its partner. Throws 401 `unauthenticated` for an unknown, expired or logged-out session
   * and 403 `partner_disabled` once the partner is disabled.
   */
  async verify(secret: string): Promise<VerifiedSession> {
    if (!isSessionSecret(secret)) throw new AppError('unauthenticated');
    const session = await this.sessions.findLive(sha256Hex(secret));
    if (!session) throw new AppError('unauthenticated');
    const partner = await this.partners.get(session.partnerId).catch(() => null);
    if (!partner) throw new AppError('unauthenticated');
    if (partner.disabledAt) throw new AppError('partner_disabled');
    return { session, partner };
  }

  /** A verified session acting in the environment its request names: the tenant scope /v1 handlers receive. */
  inEnvironment(verified: VerifiedSession, environment: Environment): PortalAuthentication {
    const scope = scopeFromPortalSession(verified.session, environment);
    // apiKeyId names the credential; for a browser it is the session (no key is involved, none is exposed).
    return { auth: { ...scope, partner: verified.partner, apiKeyId: verified.session.id }, session: verified.session };
  }

  async logout(verified: VerifiedSession): Promise<void> {
    const { auth } = this.inEnvironment(verified, verified.session.environment);
    await this.sessions.revoke(auth, verified.session.id);
  }
}
