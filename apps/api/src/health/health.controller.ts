import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { JobQueue } from '@app/queue';

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly queue: JobQueue,
  ) {}

  /** The process is up (no dependency checked: a restart would not fix a database outage). */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready when PostgreSQL answers. Redis is reported but does not fail
   * readiness: without it the ingest still commits events (the sweeper
   * schedules them later), so taking the api out of rotation would lose more.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.postgres.pingCheck('postgres', { timeout: 1500 }),
      () => this.indicators.check('redis').attempt(async () => ({ connected: await this.queue.ping() })).withTimeout(1500),
    ]);
  }
}
