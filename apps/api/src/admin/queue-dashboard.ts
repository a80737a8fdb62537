import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '@app/config';
import { JobQueue, QUEUE_NAMES } from '@app/queue';
import { AppError } from '@app/errors';
import { hasAdminToken } from '../auth/admin-auth.guard';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** bull-board over every queue, at /admin/queues, behind ADMIN_TOKEN. */
export async function mountQueueDashboard(fastify: FastifyInstance, queue: JobQueue, config: AppConfig, authFailures: AuthFailureLimiter): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  // The two bull-board packages declare their adapter types separately; they are the same at run time.
  createBullBoard({ queues: QUEUE_NAMES.map((name) => new BullMQAdapter(queue.queue(name), { readOnlyMode: false })), serverAdapter: serverAdapter as never });
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  await fastify.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        // Guessing the token here counts against the client IP as on every /admin route.
        const refused = await authFailures.assertAllowed(req).then(
          async () => (hasAdminToken(req, config.adminToken) ? null : await authFailures.failure(req, new AppError('unauthenticated'))),
          (err: AppError) => err,
        );
        if (refused?.code === 'rate_limited') {
          await reply.status(429).headers(refused.headers).send({ error: { code: refused.code, message: refused.message, request_id: req.id } });
        } else if (refused) {
          await reply.status(401).header('www-authenticate', 'Basic realm="ComptAppart operator", charset="UTF-8"').send({
            error: { code: 'unauthenticated', message: 'Give the operator token (ADMIN_TOKEN) as a Bearer token or as the Basic auth password.', request_id: req.id },
          });
        }
      });
      await scope.register(serverAdapter.registerPlugin() as never);
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
}
