import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '@app/config';
import { AppError } from '@app/errors';
import { AuthFailureLimiter } from './auth-failure-limiter';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The operator's token, compared in constant time, as a Bearer header
 * (scripts) or as the password of HTTP Basic auth (a browser opening the
 * queue dashboard is prompted for it).
 */
export function hasAdminToken(req: FastifyRequest, adminToken: string): boolean {
  const header = req.headers.authorization ?? '';
  let given: string | null = null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) given = bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic) given = Buffer.from(basic[1], 'base64').toString('utf8').split(':').slice(1).join(':');
  return given !== null && timingSafeEqual(digest(given), digest(adminToken));
}

/** `/admin` calls carry the operator's ADMIN_TOKEN; failures count against the client IP as partner-key ones do. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly authFailures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    await this.authFailures.assertAllowed(req);
    if (!hasAdminToken(req, this.config.adminToken)) throw await this.authFailures.failure(req, new AppError('unauthenticated'));
    return true;
  }
}
