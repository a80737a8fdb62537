import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { JobQueue } from '@app/queue';

/**
 * Manual disable and enable of an endpoint (the partner API calls these).
 * Disabling keeps its pending deliveries; enabling clears its health record
 * and makes everything that waited due now, so the backlog flows at once and
 * per-order ordering puts it in creation order.
 */
@Injectable()
export class EndpointControlService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queue: JobQueue,
  ) {}

  async disable(scope: TenantScope, endpointId: string): Promise<void> {
    const [, count] = await this.db.query(
      `UPDATE endpoints SET enabled = false, disabled_reason = 'manual', disabled_at = now(), disabled_notice_sent_at = now(), updated_at = now()
       WHERE id = $1 AND partner_id = $2 AND environment = $3 AND deleted_at IS NULL AND enabled`,
      [endpointId, scope.partnerId, scope.environment],
    );
    if (count === 0) await this.assertExists(scope, endpointId);
  }

  /** Returns how many waiting deliveries were made due. */
  async enable(scope: TenantScope, endpointId: string): Promise<{ backlog: number }> {
    const backlog = await this.db.transaction(async (tx) => {
      const [, count] = await tx.query(
        `UPDATE endpoints SET enabled = true, disabled_reason = NULL, disabled_at = NULL, disabled_notice_sent_at = NULL,
           consecutive_failures = 0, failing_since = NULL, circuit_state = 'closed', circuit_retry_at = NULL, circuit_opened_count = 0,
           updated_at = now()
         WHERE id = $1 AND partner_id = $2 AND environment = $3 AND deleted_at IS NULL`,
        [endpointId, scope.partnerId, scope.environment],
      );
      if (count === 0) throw AppError.notFound('endpoint', endpointId);
      await tx.query(`UPDATE deliveries SET next_attempt_at = now() WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at > now()`, [
        endpointId,
      ]);
      const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'pending'`, [endpointId]);
      return n as number;
    });
    // If Redis is down the sweeper finds the due deliveries instead.
    await this.queue.tryEnqueue('wake-endpoint', { endpointId, at: Date.now() });
    return { backlog };
  }

  /**
   * Delivery settings of one endpoint: how many requests may be in flight at
   * once (1-1000, default 10) and an optional rate limit in messages per
   * second (null removes it). Both are enforced by the claim, across workers.
   */
  async configure(scope: TenantScope, endpointId: string, settings: { max_in_flight?: number; rate_limit_per_second?: number | null }): Promise<void> {
    const problems = [];
    const max = settings.max_in_flight;
    if (max !== undefined && !(Number.isInteger(max) && max >= 1 && max <= 1000)) problems.push({ field: 'max_in_flight', message: 'must be an integer from 1 to 1000' });
    const rate = settings.rate_limit_per_second;
    if (rate !== undefined && rate !== null && !(Number.isFinite(rate) && rate > 0 && rate <= 10_000)) {
      problems.push({ field: 'rate_limit_per_second', message: 'must be a number above 0 and at most 10000, or null' });
    }
    if (problems.length > 0) throw AppError.validation(problems);
    const [, count] = await this.db.query(
      `UPDATE endpoints SET max_in_flight = coalesce($4, max_in_flight),
         rate_limit_per_second = CASE WHEN $5 THEN $6::numeric ELSE rate_limit_per_second END, rate_next_at = NULL, updated_at = now()
       WHERE id = $1 AND partner_id = $2 AND environment = $3 AND deleted_at IS NULL`,
      [endpointId, scope.partnerId, scope.environment, max ?? null, rate !== undefined, rate ?? null],
    );
    if (count === 0) throw AppError.notFound('endpoint', endpointId);
  }

  private async assertExists(scope: TenantScope, endpointId: string): Promise<void> {
    const rows = await this.db.query(`SELECT 1 FROM endpoints WHERE id = $1 AND partner_id = $2 AND environment = $3 AND deleted_at IS NULL`, [
      endpointId,
      scope.partnerId,
      scope.environment,
    ]);
    if (rows.length === 0) throw AppError.notFound('endpoint', endpointId);
  }
}
