import { Injectable } from '@nestjs/common';
import { TenantScope, UnitOfWork } from '@app/database';
import { AppError } from '@app/errors';
import { JobQueue } from '@app/queue';
import { DeliveryRepository } from './delivery.repository';
import { EndpointRepository } from './endpoint.repository';

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
    private readonly uow: UnitOfWork,
    private readonly endpoints: EndpointRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly queue: JobQueue,
  ) {}

  async disable(scope: TenantScope, endpointId: string): Promise<void> {
    // Already disabled is fine; unknown is not.
    if (!(await this.endpoints.disable(scope, endpointId)) && !(await this.endpoints.live(scope, endpointId))) throw AppError.notFound('endpoint', endpointId);
  }

  /** Returns how many waiting deliveries were made due. */
  async enable(scope: TenantScope, endpointId: string): Promise<{ backlog: number }> {
    const backlog = await this.uow.run(async (tx) => {
      if (!(await this.endpoints.enable(tx, scope, endpointId))) throw AppError.notFound('endpoint', endpointId);
      return this.deliveries.makeWaitingDue(tx, endpointId);
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
    if (!(await this.endpoints.setDeliveryLimits(scope, endpointId, settings.max_in_flight ?? null, settings.rate_limit_per_second))) {
      throw AppError.notFound('endpoint', endpointId);
    }
  }
}
