import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, nestLogLevels } from '@app/config';
import { HttpExceptionFilter } from '@app/errors';
import { JobQueue } from '@app/queue';
import { mountQueueDashboard } from './admin/queue-dashboard';
import { AuthFailureLimiter } from './auth/auth-failure-limiter';
import { ApiModule } from './api.module';
import { registerJsonBodyParser } from './json-body.parser';
import { StripeIngestService } from './ingest/stripe-ingest.service';
import { serveStripeWebhookDirectly } from './ingest/stripe-webhook.route';
import { serveOpenApi } from './openapi/openapi';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the HTTP app (used by main.ts, the tests and the demo). */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    // A caller's own x-request-id is kept, so one id follows a request across systems.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : `req_${randomUUID().replace(/-/g, '')}`;
    },
    requestIdHeader: false,
    return503OnClosing: true,
    // X-Forwarded-For is believed only from our own proxies; the client is then the right-most hop they do not
    // vouch for, so an address a client writes into the header itself is never taken as its own.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    logger: nestLogLevels(config.logLevel),
    // Held until the JSON logger below takes over, so even boot lines are structured.
    bufferLogs: true,
    // Our own JSON parser (json-body.parser.ts) replaces Nest's.
    bodyParser: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  // One structured line per request, with the id the client can quote (x-request-id).
  app.getHttpAdapter().getInstance().addHook('onResponse', async (req, reply) => {
    if (req.url === '/health/live') return;
    logger.log({ request_id: req.id, method: req.method, path: req.url.split('?')[0], status: reply.statusCode, duration_ms: Math.round(reply.elapsedTime), msg: 'request completed' });
  });
  registerJsonBodyParser(app.getHttpAdapter().getInstance(), MAX_BODY_BYTES);
  serveStripeWebhookDirectly(app.getHttpAdapter().getInstance(), app.get(StripeIngestService));
  app.useGlobalFilters(new HttpExceptionFilter());
  serveOpenApi(app);
  await mountQueueDashboard(app.getHttpAdapter().getInstance(), app.get(JobQueue), config, app.get(AuthFailureLimiter));
  app.getHttpAdapter().getInstance().addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.enableShutdownHooks();
  return app;
}
