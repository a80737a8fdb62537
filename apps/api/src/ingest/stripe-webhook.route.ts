import type { ArgumentsHost } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpExceptionFilter } from '@app/errors';
import { StripeIngestService } from './stripe-ingest.service';

export const STRIPE_WEBHOOK_PATH = '/stripe/webhook';

const STORED = JSON.stringify({ received: true, duplicate: false });
const DUPLICATE = JSON.stringify({ received: true, duplicate: true });

/**
 * Serves POST /stripe/webhook as a plain Fastify handler: Nest's pipeline (guards, interceptors, pipes, its
 * observables) cost more per event than verifying and committing it. Nest still declares and documents the
 * route (StripeWebhookController); this hook replaces its handler as Fastify registers it, so the path, body
 * limit, JSON parser (raw bytes kept), request ids and the request log stay those of every route, and errors
 * go through the same catalogue filter, with the same codes and bodies.
 */
export function serveStripeWebhookDirectly(fastify: FastifyInstance, ingest: StripeIngestService): void {
  const filter = new HttpExceptionFilter();
  fastify.addHook('onRoute', (route) => {
    if (route.url !== STRIPE_WEBHOOK_PATH || route.method !== 'POST') return;
    route.handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const header = req.headers['stripe-signature'];
      const outcome = await ingest.receive((req as FastifyRequest & { rawBody?: Buffer }).rawBody, typeof header === 'string' ? header : undefined);
      return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(outcome === 'duplicate' ? DUPLICATE : STORED);
    };
    route.errorHandler = (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
      const http = { getRequest: () => req, getResponse: () => reply };
      filter.catch(err, { switchToHttp: () => http } as unknown as ArgumentsHost);
    };
  });
}
