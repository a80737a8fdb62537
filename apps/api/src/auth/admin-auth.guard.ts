import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '@app/config';
import { AppError } from '@app/errors';

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

/** `/admin` calls carry the operator's ADMIN_TOKEN. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (!hasAdminToken(context.switchToHttp().getRequest<FastifyRequest>(), this.config.adminToken)) throw new AppError('unauthenticated');
    return true;
  }
}
