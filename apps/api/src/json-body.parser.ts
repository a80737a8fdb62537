import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@app/errors';

/** Routes whose handler needs the exact bytes, verified before anything reads them. */
const RAW_ONLY = ['/stripe/webhook'];

/**
 * One JSON parser for the whole api: it keeps the raw bytes on the request
 * (`rawBody`) and skips parsing for raw-only routes, where the handler parses
 * once after checking the signature. Parsing twice measurably cut the
 * ingest's throughput.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeContentTypeParser(['application/json']);
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (req: FastifyRequest, body: Buffer, done) => {
    (req as FastifyRequest & { rawBody?: Buffer }).rawBody = body;
    if (RAW_ONLY.some((path) => req.url === path || req.url.startsWith(`${path}?`))) return done(null, {});
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      done(new AppError('invalid_json'), undefined);
    }
  });
}
