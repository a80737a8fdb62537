import { Injectable } from '@nestjs/common';
import { TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { EndpointRepository } from './endpoint.repository';

export interface WindowStats {
  attempts: number;
  succeeded: number;
  /** succeeded / attempts, null when nothing was attempted. */
  success_rate: number | null;
}

/** What `GET /v1/endpoints/:id` and `/stats` show about deliveries (snake_case, as the API answers). */
export interface EndpointStats {
  endpoint_id: string;
  enabled: boolean;
  disabled_reason: 'manual' | 'failing' | 'gone' | null;
  disabled_at: string | null;
  circuit_state: 'closed' | 'open' | 'half_open';
  circuit_retry_at: string | null;
  consecutive_failures: number;
  failing_since: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  /** Deliveries still to make (waiting, retrying or in flight). */
  backlog: number;
  failed: number;
  in_flight: number;
  max_in_flight: number;
  rate_limit_per_second: number | null;
  last_hour: WindowStats;
  last_day: WindowStats;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const window = (attempts: number, succeeded: number): WindowStats => ({
  attempts,
  succeeded,
  success_rate: attempts === 0 ? null : Math.round((succeeded / attempts) * 10000) / 10000,
});

/** Per-endpoint delivery health, from the attempts and deliveries tables. Scoped to one partner environment. */
@Injectable()
export class EndpointHealthService {
  constructor(private readonly endpoints: EndpointRepository) {}

  async statsOf(scope: TenantScope, endpointId: string, now = new Date()): Promise<EndpointStats> {
    const rows = await this.endpoints.health(scope, endpointId, now);
    if (!rows) throw AppError.notFound('endpoint', endpointId);
    const { endpoint: ep, attempts, deliveries } = rows;
    return {
      endpoint_id: ep.id,
      enabled: ep.enabled,
      disabled_reason: ep.disabled_reason,
      disabled_at: iso(ep.disabled_at),
      circuit_state: ep.circuit_state,
      circuit_retry_at: ep.circuit_state === 'open' ? iso(ep.circuit_retry_at) : null,
      consecutive_failures: ep.consecutive_failures,
      failing_since: iso(ep.failing_since),
      last_success_at: iso(ep.last_success_at),
      last_failure_at: iso(ep.last_failure_at),
      backlog: deliveries.backlog,
      failed: deliveries.failed,
      in_flight: deliveries.in_flight,
      max_in_flight: ep.max_in_flight,
      rate_limit_per_second: ep.rate,
      last_hour: window(attempts.hour, attempts.hour_ok),
      last_day: window(attempts.day, attempts.day_ok),
    };
  }
}
