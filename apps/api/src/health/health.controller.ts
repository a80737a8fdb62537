import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DatabaseProbeRepository } from '@app/database';
import { answersWithin, readiness } from '@app/observability';
import { JobQueue } from '@app/queue';

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: DatabaseProbeRepository,
    private readonly queue: JobQueue,
  ) {}

  /** The process is up (no dependency checked: a restart would not fix a database outage). */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready, degraded or unavailable by the rule both processes share (`readiness`). */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [postgres, redis] = await Promise.all([answersWithin(() => this.database.ping()), answersWithin(() => this.queue.ping())]);
    const { httpStatus, ...verdict } = readiness({ postgres, redis });
    void reply.status(httpStatus);
    return {
      status: verdict.status,
      info: { postgres: { status: postgres ? 'up' : 'down' }, redis: { status: redis ? 'up' : 'down', connected: redis } },
      ...(verdict.down ? { down: verdict.down } : {}),
    };
  }
}
