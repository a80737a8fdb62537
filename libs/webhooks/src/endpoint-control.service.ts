import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { JobQueue } from '@app/queue';

export interface EndpointDeliveryLimits {
  max_in_flight?: number;
  rate_limit_per_second?: number | null;
}

/**
 * What a partner may set. max_in_flight: 1 (one request at a time, for a receiver
 * that cannot take two) to 1000 (the table's CHECK; far above what a worker
 * fleet holds open). rate_limit_per_second: 0.1 (one message every 10 seconds;
 * slower, a day's backlog of a busy shop would outlive the retry window) to
 * 10000 (above it the limit never binds: a claim takes at most a tenth of a
 * second's worth, and max_in_flight stops at 1000).
 */
export const DELIVERY_LIMITS = {
  maxInFlight: { min: 1, max: 1000, default: 10 },
  ratePerSecond: { min: 0.1, max: 10_000 },
} as const;

export function deliveryLimitProblems(settings: EndpointDeliveryLimits): { field: string; message: string }[] {
  const { maxInFlight, ratePerSecond } = DELIVERY_LIMITS;
  const problems = [];
  const max = settings.max_in_flight;
  if (max !== undefined && !(Number.isInteger(max) && max >= maxInFlight.min && max <= maxInFlight.max)) {
    problems.push({ field: 'max_in_flight', message: `must be an integer from ${maxInFlight.min} to ${maxInFlight.max}` });
  }
  const rate = settings.rate_limit_per_second;
  if (rate !== undefined && rate !== null && !(Number.isFinite(rate) && rate >= ratePerSecond.min && rate <= ratePerSecond.max)) {
    problems.push({ field: 'rate_limit_per_second', message: `must be a number from ${ratePerSecond.min} to ${ratePerSecond.max}, or null for no limit` });
  }
  return problems;
}

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
   * once and an optional rate limit in messages per second (null removes it),
   * within DELIVERY_LIMITS. Both are enforced by the claim, across workers.
   */
  async configure(scope: TenantScope, endpointId: string, settings: EndpointDeliveryLimits): Promise<void> {
    const problems = deliveryLimitProblems(settings);
    if (problems.length > 0) throw AppError.validation(problems);
    const max = settings.max_in_flight;
    const rate = settings.rate_limit_per_second;
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
