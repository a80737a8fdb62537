import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { JobQueue } from '@app/queue';

const PROBE_TIMEOUT_MS = 1500;

/** True when `probe` answers true within the probe timeout; a hung dependency counts as down. */
async function answers(probe: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
  try {
    return await Promise.race([probe().then((ok) => ok !== false, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queue: JobQueue,
  ) {}

  /** The process is up (no dependency checked: a restart would not fix a database outage). */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /**
   * Not ready (503) without PostgreSQL, which holds the truth. Without Redis
   * the api stays ready but `degraded`: the ingest still commits events (the
   * sweeper schedules them once Redis is back), so taking the api out of
   * rotation would lose more than it saves.
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [postgres, redis] = await Promise.all([answers(() => this.db.query('SELECT 1')), answers(() => this.queue.ping())]);
    const down = [...(postgres ? [] : ['postgres']), ...(redis ? [] : ['redis'])];
    const status = !postgres ? 'unavailable' : redis ? 'ok' : 'degraded';
    void reply.status(postgres ? 200 : 503);
    return {
      status,
      info: { postgres: { status: postgres ? 'up' : 'down' }, redis: { status: redis ? 'up' : 'down', connected: redis } },
      ...(down.length ? { down } : {}),
    };
  }
}
