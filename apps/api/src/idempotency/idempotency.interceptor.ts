import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AppError } from '@app/errors';
import type { AuthenticatedPartner } from '@app/partners';
import { IdempotencyRepository } from './idempotency.repository';

type PartnerRequest = FastifyRequest & { partnerAuth?: AuthenticatedPartner; rawBody?: Buffer };

/**
 * `Idempotency-Key` on partner POSTs: the same key with the same body within
 * 24 hours returns the first response without doing the work again; the same
 * key with another body is a 409. Only successes are kept: a request that
 * failed can be retried, corrected, with its key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly keys: IdempotencyRepository) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<PartnerRequest>();
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || !req.partnerAuth || typeof key !== 'string') return next.handle();
    return from(this.run(req, context.switchToHttp().getResponse<FastifyReply>(), key, next));
  }

  private async run(req: PartnerRequest, reply: FastifyReply, key: string, next: CallHandler): Promise<unknown> {
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw AppError.validation([{ field: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' }]);
    }
    const scope = req.partnerAuth!;
    const path = req.url.split('?')[0];
    const hash = createHash('sha256').update(`${req.method} ${path}\n`).update(req.rawBody ?? Buffer.alloc(0)).digest('hex');
    const claim = await this.keys.claim(scope, key, req.method, path, hash);
    if (claim.kind === 'mismatch') throw new AppError('idempotency_key_reused');
    if (claim.kind === 'in_progress') throw new AppError('idempotency_key_in_use');
    if (claim.kind === 'replay') {
      void reply.header('idempotent-replayed', 'true');
      return claim.body;
    }
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.keys.complete(scope, key, reply.statusCode, body);
      return body;
    } catch (err) {
      await this.keys.release(scope, key);
      throw err;
    }
  }
}
