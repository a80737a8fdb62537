import { Controller, Get, HttpCode, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '@app/config';
import { AppError, isDatabaseUnavailable } from '@app/errors';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter';
import { RateLimiter } from '../auth/rate-limiter';
import { linkRefusedPage, linkRefusedStatus, PAGE_CSP } from './portal-pages';
import { clearedSessionCookie, cookieValue, csrfMatches, csrfTokenOf, SESSION_COOKIE, sessionCookie, sha256Hex } from './portal-secrets.util';
import { PortalSessionService, VerifiedSession } from './portal-session.service';

/**
 * Signing in to the partner portal (a link exchanged for a session cookie), reading the session, signing out.
 * Partner data itself is read through /v1 with the cookie (PartnerAuthGuard), never through these routes.
 */
// The browser's routes, not the partner API: the portal page of the docs and the README describe them.
@ApiExcludeController()
@Controller('portal')
export class PortalAuthController {
  private readonly logger = new Logger('PortalAuth');

  constructor(
    private readonly sessions: PortalSessionService,
    private readonly authFailures: AuthFailureLimiter,
    private readonly limiter: RateLimiter,
    private readonly config: AppConfig,
  ) {}

  /**
   * The link's token is in the query string: every failure here is answered by this handler, so the global error
   * filter (which logs the URL of a 5xx) never sees the request, and the request log keeps only the path.
   */
  @Get('login')
  async login(@Query('token') token: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    // Link checkers (mail scanners, chat previews) may probe with HEAD: only a GET spends the link.
    if (req.method === 'HEAD') return void reply.status(200).header('content-type', 'text/html; charset=utf-8').send();
    try {
      await this.authFailures.assertAllowed(req);
      const opening = await this.sessions.open(typeof token === 'string' ? token : '');
      if (opening.kind === 'refused') {
        // Guessing links is guessing credentials: it counts against the client IP like a wrong key.
        if (opening.code === 'portal_link_invalid') await this.authFailures.failure(req, new AppError('unauthenticated'));
        return this.refuse(reply, opening.code, req.id);
      }
      void reply.header('set-cookie', sessionCookie(opening.secret, this.config.isProduction));
      void reply.status(303).header('location', '/portal/').send();
    } catch (err) {
      if (err instanceof AppError && err.code === 'rate_limited') {
        for (const [name, value] of Object.entries(err.headers)) void reply.header(name, value);
        return this.refuse(reply, 'rate_limited', req.id);
      }
      this.logger.error(`portal sign-in failed [${req.id}]: ${(err as Error)?.stack ?? err}`);
      return this.refuse(reply, isDatabaseUnavailable(err) ? 'database_unavailable' : 'internal_error', req.id);
    }
  }

  @Get('api/session')
  async session(@Req() req: FastifyRequest) {
    const { secret, verified } = await this.verified(req);
    return {
      object: 'portal_session',
      partner: { id: verified.partner.id, name: verified.partner.name },
      environment: verified.session.environment,
      csrf_token: csrfTokenOf(secret),
      expires_at: verified.session.expiresAt.toISOString(),
    };
  }

  @Post('api/logout')
  @HttpCode(204)
  async logout(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const { secret, verified } = await this.verified(req);
    const given = req.headers['x-csrf-token'];
    if (!csrfMatches(secret, typeof given === 'string' ? given : undefined)) throw new AppError('csrf_failed');
    await this.sessions.logout(verified);
    void reply.header('set-cookie', clearedSessionCookie(this.config.isProduction));
  }

  private async verified(req: FastifyRequest): Promise<{ secret: string; verified: VerifiedSession }> {
    await this.authFailures.assertAllowed(req);
    const secret = cookieValue(req.headers.cookie, SESSION_COOKIE);
    let verified: VerifiedSession;
    try {
      if (!secret) throw new AppError('unauthenticated', 'No portal session: open a sign-in link first.');
      verified = await this.sessions.verify(secret);
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthenticated') throw await this.authFailures.failure(req, err);
      throw err;
    }
    // The session's own bucket, the one its /v1 calls count in (PartnerAuthGuard).
    const wait = await this.limiter.hit(`session:${sha256Hex(secret).slice(0, 32)}`, this.config.apiRateLimitPerSecond, 1);
    if (wait) throw AppError.rateLimited(wait);
    return { secret, verified };
  }

  private refuse(reply: FastifyReply, code: Parameters<typeof linkRefusedPage>[0], requestId: string): void {
    void reply.status(linkRefusedStatus(code)).header('content-security-policy', PAGE_CSP).header('content-type', 'text/html; charset=utf-8').send(linkRefusedPage(code, requestId));
  }
}
