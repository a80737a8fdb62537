import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@app/errors';

/** Routes whose handler needs the exact bytes, verified before anything reads them. */
const RAW_ONLY = ['/stripe/webhook'];

/**
 * One JSON parser for the whole api: it keeps the raw bytes on the request
 * (`rawBody`) and skips parsing for raw-only routes, where the handler parses
 * once after checking the signature. Parsing twice measurably cut the
 * ingest's throughput. Every other media type is a 415 `unsupported_media_type`.
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
  // Any other body (form-encoded, text, XML, multipart...) is refused before a handler sees it, with the
  // catalogue's own code; routes that take another type (the partner logo) register a parser of their own.
  fastify.removeContentTypeParser(['text/plain']);
  fastify.addContentTypeParser('*', (_req: FastifyRequest, _payload: unknown, done: (err: Error | null, body?: unknown) => void) => {
    done(new AppError('unsupported_media_type'), undefined);
  });
}
