import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TenantScope } from '@app/database';
import { AppError } from '@app/errors';

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
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async statsOf(scope: TenantScope, endpointId: string, now = new Date()): Promise<EndpointStats> {
    const [ep] = await this.db.query(
      `SELECT id, enabled, disabled_reason, disabled_at, circuit_state, circuit_retry_at, consecutive_failures, failing_since,
              last_success_at, last_failure_at, max_in_flight, rate_limit_per_second::float8 AS rate
       FROM endpoints WHERE id = $1 AND partner_id = $2 AND environment = $3 AND deleted_at IS NULL`,
      [endpointId, scope.partnerId, scope.environment],
    );
    if (!ep) throw AppError.notFound('endpoint', endpointId);
    const [[attempts], [deliveries]] = await Promise.all([
      this.db.query(
        `SELECT count(*) FILTER (WHERE attempted_at > $2::timestamptz - interval '1 hour')::int AS hour,
                count(*) FILTER (WHERE attempted_at > $2::timestamptz - interval '1 hour' AND status_code BETWEEN 200 AND 299)::int AS hour_ok,
                count(*)::int AS day,
                count(*) FILTER (WHERE status_code BETWEEN 200 AND 299)::int AS day_ok
         FROM attempts WHERE endpoint_id = $1 AND attempted_at > $2::timestamptz - interval '1 day' AND attempted_at <= $2`,
        [endpointId, now],
      ),
      this.db.query(
        `SELECT count(*) FILTER (WHERE status = 'pending')::int AS backlog,
                count(*) FILTER (WHERE status = 'failed')::int AS failed,
                count(*) FILTER (WHERE status = 'pending' AND lease_until > $2)::int AS in_flight
         FROM deliveries WHERE endpoint_id = $1`,
        [endpointId, now],
      ),
    ]);
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
