import { createHash } from 'node:crypto';
import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '@app/config';
import { Environment, ENVIRONMENTS } from '@app/database';
import { AppError } from '@app/errors';
import { AuthenticatedPartner, PartnerService } from '@app/partners';
import { PortalAuthentication, PortalSessionService } from '../portal/portal-session.service';
import { cookieValue, csrfMatches, SESSION_COOKIE, sha256Hex } from '../portal/portal-secrets.util';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { RateLimiter } from './rate-limiter';

type PartnerRequest = FastifyRequest & { partnerAuth?: AuthenticatedPartner; portalSession?: PortalAuthentication };

/** With a portal session, the environment each request acts in (the portal's staging/production switch). */
export const ENVIRONMENT_HEADER = 'comptappart-environment';

const KEYS_ONLY = 'partner-auth:keys-only';
/**
 * Routes a portal session may not call (403 `forbidden`): minting API keys or more sign-in links. A browser
 * session is for looking and operating, not for creating credentials that outlive it.
 */
export const KeysOnly = () => SetMetadata(KEYS_ONLY, true);

/** Reads do not need the CSRF header: SameSite=Strict and the same-origin rule already keep other sites out of them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * `/v1` calls authenticate with a partner key; the key decides partner and
 * environment. Without a key, the partner portal's session cookie does: the
 * session decides the partner, the ComptAppart-Environment header the
 * environment, and every change carries the session's CSRF token. A client IP
 * that keeps failing authentication is refused for the rest of its minute
 * (key guessing), and each key or session has a request rate.
 */
@Injectable()
export class PartnerAuthGuard implements CanActivate {
  constructor(
    private readonly partners: PartnerService,
    private readonly portalSessions: PortalSessionService,
    private readonly limiter: RateLimiter,
    private readonly authFailures: AuthFailureLimiter,
    private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PartnerRequest>();
    await this.authFailures.assertAllowed(req);
    const token = bearerToken(req);
    const sessionSecret = token ? null : cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (sessionSecret !== null) return this.bySession(context, req, sessionSecret);
    try {
      if (!token) throw new AppError('unauthenticated');
      req.partnerAuth = await this.partners.authenticate(token);
    } catch (err) {
      throw await this.countFailure(req, err);
    }
    await this.limit(`key:${sha256Hex(token).slice(0, 32)}`);
    return true;
  }

  private async bySession(context: ExecutionContext, req: PartnerRequest, secret: string): Promise<boolean> {
    let verified;
    try {
      verified = await this.portalSessions.verify(secret);
    } catch (err) {
      throw await this.countFailure(req, err);
    }
    if (this.reflector.getAllAndOverride<boolean>(KEYS_ONLY, [context.getHandler(), context.getClass()])) throw new AppError('forbidden');
    const environment = environmentOf(req);
    if (!SAFE_METHODS.has(req.method) && !csrfMatches(secret, headerValue(req.headers['x-csrf-token']))) throw new AppError('csrf_failed');
    // The same limit as a key's: a browser gets no more of the api than the partner's own backend.
    await this.limit(`session:${sha256Hex(secret).slice(0, 32)}`);
    req.portalSession = this.portalSessions.inEnvironment(verified, environment);
    req.partnerAuth = req.portalSession.auth;
    return true;
  }

  private async countFailure(req: PartnerRequest, err: unknown): Promise<unknown> {
    if (err instanceof AppError && err.code === 'unauthenticated') return this.authFailures.failure(req, err);
    return err;
  }

  private async limit(bucket: string): Promise<void> {
    const wait = await this.limiter.hit(bucket, this.config.apiRateLimitPerSecond, 1);
    if (wait) throw AppError.rateLimited(wait);
  }
}

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? undefined : v);

function environmentOf(req: FastifyRequest): Environment {
  const given = headerValue(req.headers[ENVIRONMENT_HEADER]);
  if (!ENVIRONMENTS.includes(given as Environment)) {
    throw AppError.validation([{ field: 'ComptAppart-Environment', message: 'required with a portal session: staging or production' }]);
  }
  return given as Environment;
}

/** The authenticated partner and environment of the request (its tenant scope). */
export const CurrentPartner = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedPartner => {
  const auth = ctx.switchToHttp().getRequest<PartnerRequest>().partnerAuth;
  if (!auth) throw new AppError('unauthenticated');
  return auth;
});
