import { createHash } from 'node:crypto';
import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '@app/config';
import { AppError } from '@app/errors';
import { AuthenticatedPartner, PartnerService } from '@app/partners';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { RateLimiter } from './rate-limiter';

type PartnerRequest = FastifyRequest & { partnerAuth?: AuthenticatedPartner };

export function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * `/v1` calls authenticate with a partner key; the key decides partner and
 * environment. A client IP that keeps failing authentication is refused for
 * the rest of its minute (key guessing), and each key has a request rate.
 */
@Injectable()
export class PartnerAuthGuard implements CanActivate {
  constructor(
    private readonly partners: PartnerService,
    private readonly limiter: RateLimiter,
    private readonly authFailures: AuthFailureLimiter,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PartnerRequest>();
    await this.authFailures.assertAllowed(req);
    const token = bearerToken(req);
    try {
      if (!token) throw new AppError('unauthenticated');
      req.partnerAuth = await this.partners.authenticate(token);
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthenticated') throw await this.authFailures.failure(req, err);
      throw err;
    }
    const keyBucket = `key:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
    const wait = await this.limiter.hit(keyBucket, this.config.apiRateLimitPerSecond, 1);
    if (wait) throw AppError.rateLimited(wait);
    return true;
  }
}

/** The authenticated partner and environment of the request (its tenant scope). */
export const CurrentPartner = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedPartner => {
  const auth = ctx.switchToHttp().getRequest<PartnerRequest>().partnerAuth;
  if (!auth) throw new AppError('unauthenticated');
  return auth;
});
