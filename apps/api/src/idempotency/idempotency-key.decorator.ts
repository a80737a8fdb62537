import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The request's `Idempotency-Key`, if any (its format is checked by the interceptor, which runs first). A param
 * decorator of our own rather than `@Headers()`, which the OpenAPI explorer would list as a required parameter.
 */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const value = ctx.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
  return typeof value === 'string' ? value : undefined;
});
