import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AppError } from '@app/errors';
import type { AuthenticatedPartner } from '@app/partners';
import { IdempotencyRepository } from './idempotency.repository';

type PartnerRequest = FastifyRequest & { partnerAuth?: AuthenticatedPartner; rawBody?: Buffer };

/** Endpoint signing secrets and API keys: a response showing one names the resource it belongs to. */
const SECRET_IN_RESPONSE = /whsec_|ca_(test|live)_/;

/**
 * `Idempotency-Key` on partner POSTs: the same key with the same body within
 * 24 hours returns the first response without doing the work again; the same
 * key with another body is a 409. Only successes are kept: a request that
 * failed can be retried, corrected, with its key. A key whose request died
 * mid-flight is free again once its lease runs out.
 *
 * Deleting a resource (an endpoint, a revoked API key) forgets the stored
 * responses that showed its secret: the key stays spent, so a retry does not
 * create the resource again, but it answers 409 instead of handing out a
 * secret of something the partner has retired.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly keys: IdempotencyRepository) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<PartnerRequest>();
    const key = req.headers['idempotency-key'];
    if (req.method === 'DELETE' && req.partnerAuth) return from(this.deleteAndForget(req, next));
    if (req.method !== 'POST' || !req.partnerAuth || typeof key !== 'string') return next.handle();
    return from(this.run(req, context.switchToHttp().getResponse<FastifyReply>(), key, next));
  }

  private async deleteAndForget(req: PartnerRequest, next: CallHandler): Promise<unknown> {
    const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    const id = decodeURIComponent(req.url.split('?')[0].split('/').pop() ?? '');
    await this.keys.forgetSecretsOf(req.partnerAuth!, id);
    return body;
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
    if (claim.kind === 'forgotten') {
      throw new AppError('conflict', 'The resource this Idempotency-Key created, or whose secret it returned, has since been deleted; its response is no longer kept.');
    }
    if (claim.kind === 'replay') {
      void reply.status(claim.status).header('idempotent-replayed', 'true');
      return claim.body;
    }
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.keys.complete(scope, key, { status: reply.statusCode, body, secretOf: secretOwner(body) });
      return body;
    } catch (err) {
      await this.keys.release(scope, key);
      throw err;
    }
  }
}

/** The id of the endpoint or API key whose secret `body` shows, if it shows one. */
function secretOwner(body: unknown): string | null {
  if (!body || typeof body !== 'object' || !SECRET_IN_RESPONSE.test(JSON.stringify(body))) return null;
  const { id, endpoint_id } = body as { id?: unknown; endpoint_id?: unknown };
  const owner = endpoint_id ?? id;
  return typeof owner === 'string' ? owner : null;
}
