import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error';
import { isDatabaseUnavailable } from './database-outage';
import { ERROR_CATALOGUE, ErrorCode } from './error-codes';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

/**
 * Maps every error to `{"error": {code, message, request_id}}`. Internal
 * details never leave the process: 5xx bodies carry only the request id,
 * which is also in the log line that holds the cause.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { code, status, message, details } = this.describe(exception);
    if (status >= 500) {
      this.logger.error(`${request.method} ${request.url} -> ${status} ${code} [${request.id}]: ${(exception as Error)?.stack ?? exception}`);
    }
    if (exception instanceof AppError) for (const [name, value] of Object.entries(exception.headers)) reply.header(name, value);
    void reply
      .status(status)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ error: { code, message, request_id: request.id, ...(details ? { details } : {}) } });
  }

  private describe(exception: unknown): { code: ErrorCode; status: number; message: string; details?: unknown } {
    if (exception instanceof AppError) {
      return { code: exception.code, status: exception.status, message: exception.message, details: exception.details };
    }
    const fastifyCode = FASTIFY_CODES[(exception as { code?: string })?.code ?? ''];
    if (fastifyCode) return this.fromCatalogue(fastifyCode);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) return this.fromCatalogue('route_not_found');
      if (status === 413) return this.fromCatalogue('payload_too_large');
      if (status < 500) return { code: 'validation_failed', status, message: exception.message };
    }
    if (isDatabaseUnavailable(exception)) return this.fromCatalogue('database_unavailable');
    return this.fromCatalogue('internal_error');
  }

  private fromCatalogue(code: ErrorCode) {
    return { code, status: ERROR_CATALOGUE[code].status, message: ERROR_CATALOGUE[code].message };
  }
}
