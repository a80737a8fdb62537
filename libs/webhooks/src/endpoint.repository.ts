import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Endpoint, TenantScope } from '@app/database';

/** An endpoint's health columns and delivery counts, as `GET /v1/endpoints/:id/stats` shows them (raw rows). */
export interface EndpointHealthRows {
  endpoint: Record<string, any>;
  attempts: { hour: number; hour_ok: number; day: number; day_ok: number };
  deliveries: { backlog: number; failed: number; in_flight: number };
}

/** The partner-facing endpoint rows read and written outside the endpoint CRUD. Every method takes the tenant, but the marked ones. */
@Injectable()
export class EndpointRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A live (not deleted) endpoint of the scope, or null. */
  live(scope: TenantScope, id: string, tx: EntityManager = this.db.manager): Promise<Endpoint | null> {
    return tx.findOneBy(Endpoint, { id, partnerId: scope.partnerId, environment: scope.environment, deletedAt: IsNull() });
  }

  /** The scope's live endpoints subscribed to `type` (an empty list of event types means all of them). */
  subscribed(tx: EntityManager, scope: TenantScope, type: string): Promise<Endpoint[]> {
    return tx
      .getRepository(Endpoint)
      .createQueryBuilder('e')
      .where('e.partner_id = :partnerId AND e.environment = :environment AND e.deleted_at IS NULL', scope)
      .andWhere('(cardinality(e.event_types) = 0 OR :type = ANY(e.event_types))', { type })
      .getMany();
  }

  /** A manual disable; false when the endpoint is not live in the scope or was already disabled. */
  async disable(scope: TenantScope, id: string): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE endpoints SET enabled = false, disabled_reason = 'manual', disabled_at = now(), disabled_notice_sent_at = now(), updated_at = now()
       WHERE id = $1 AND partner_id = $2 AND environment = $3 AND deleted_at IS NULL AND enabled`,
      [id, scope.partnerId, scope.environment],
    );
    return count > 0;
  }

  /** Enabled again with a clean health record (closed circuit, no failures); false when not live in the scope. */
  async enable(tx: EntityManager, scope: TenantScope, id: string): Promise<boolean> {
    const [, count] = await tx.query(
      `UPDATE endpoints SET enabled = true, disabled_reason = NULL, disabled_at = NULL, disabled_notice_sent_at = NULL,
         consecutive_failures = 0, failing_since = NULL, circuit_state = 'closed', circuit_retry_at = NULL, circuit_opened_count = 0,
         updated_at = now()
       WHERE id = $1 AND partner_id = $2 AND environment = $3 AND deleted_at IS NULL`,
      [id, scope.partnerId, scope.environment],
    );
    return count > 0;
  }

  /** The delivery limits (null max: unchanged; `rate` undefined: unchanged, null: none); false when not live in the scope. */
  async setDeliveryLimits(scope: TenantScope, id: string, max: number | null, rate: number | null | undefined): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE endpoints SET max_in_flight = coalesce($4, max_in_flight),
         rate_limit_per_second = CASE WHEN $5 THEN $6::numeric ELSE rate_limit_per_second END, rate_next_at = NULL, updated_at = now()
       WHERE id = $1 AND partner_id = $2 AND environment = $3 AND deleted_at IS NULL`,
      [id, scope.partnerId, scope.environment, max, rate !== undefined, rate ?? null],
    );
    return count > 0;
  }

  /** The partner says its endpoint is back: the circuit starts closed again. */
  async closeCircuit(tx: EntityManager, scope: TenantScope, id: string): Promise<void> {
    await tx.query(
      `UPDATE endpoints SET circuit_state = 'closed', circuit_retry_at = NULL, consecutive_failures = 0, failing_since = NULL
       WHERE id = $1 AND partner_id = $2 AND environment = $3`,
      [id, scope.partnerId, scope.environment],
    );
  }

  /** Null when the endpoint is not a live one of the scope. Counts over the hour and the day before `now`. */
  async health(scope: TenantScope, id: string, now: Date): Promise<EndpointHealthRows | null> {
    const [endpoint] = await this.db.query(
      `SELECT id, enabled, disabled_reason, disabled_at, circuit_state, circuit_retry_at, consecutive_failures, failing_since,
              last_success_at, last_failure_at, max_in_flight, rate_limit_per_second::float8 AS rate
       FROM endpoints WHERE id = $1 AND partner_id = $2 AND environment = $3 AND deleted_at IS NULL`,
      [id, scope.partnerId, scope.environment],
    );
    if (!endpoint) return null;
    // Attempts and deliveries of an endpoint of the scope are the scope's (the endpoint row was just checked).
    const [[attempts], [deliveries]] = await Promise.all([
      this.db.query(
        `SELECT count(*) FILTER (WHERE attempted_at > $2::timestamptz - interval '1 hour')::int AS hour,
                count(*) FILTER (WHERE attempted_at > $2::timestamptz - interval '1 hour' AND status_code BETWEEN 200 AND 299)::int AS hour_ok,
                count(*)::int AS day,
                count(*) FILTER (WHERE status_code BETWEEN 200 AND 299)::int AS day_ok
         FROM attempts WHERE endpoint_id = $1 AND attempted_at > $2::timestamptz - interval '1 day' AND attempted_at <= $2`,
        [id, now],
      ),
      this.db.query(
        `SELECT count(*) FILTER (WHERE status = 'pending')::int AS backlog,
                count(*) FILTER (WHERE status = 'failed')::int AS failed,
                count(*) FILTER (WHERE status = 'pending' AND lease_until > $2)::int AS in_flight
         FROM deliveries WHERE endpoint_id = $1 AND partner_id = $3`,
        [id, now, scope.partnerId],
      ),
    ]);
    return { endpoint, attempts, deliveries };
  }

  /**
   * @crossTenant the worker's notice job, by the id of an endpoint the engine itself disabled: the row names its own
   * partner, whose address the notice goes to, and nobody else's.
   */
  async disabledNotice(endpointId: string): Promise<Record<string, any> | null> {
    const [row] = await this.db.query(
      `SELECT e.id, e.url, e.environment, e.disabled_reason, e.disabled_at, e.failing_since, p.name, p.email,
              (SELECT count(*)::int FROM deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending') AS backlog
       FROM endpoints e JOIN partners p ON p.id = e.partner_id
       WHERE e.id = $1 AND NOT e.enabled AND e.disabled_reason IN ('failing', 'gone') AND e.disabled_notice_sent_at IS NULL`,
      [endpointId],
    );
    return row ?? null;
  }

  /**
   * Only for this disable (µs in PostgreSQL, ms in JS): a later one gets its own email.
   * @crossTenant the same job, on the same endpoint row.
   */
  async markNoticeSent(endpointId: string, disabledAt: Date): Promise<void> {
    await this.db.query(`UPDATE endpoints SET disabled_notice_sent_at = now() WHERE id = $1 AND abs(extract(epoch FROM disabled_at - $2::timestamptz)) < 0.001`, [
      endpointId,
      disabledAt,
    ]);
  }

  /**
   * Endpoints disabled automatically whose partner was not told yet (a crash between commit and email).
   * @crossTenant the sweeper's look over every partner; only endpoint ids leave it, each to its own notice job.
   */
  async unsentNotices(cutoff: Date): Promise<{ id: string; disabledAt: number }[]> {
    const rows: { id: string; disabled_at: Date }[] = await this.db.query(
      `SELECT id, disabled_at FROM endpoints
       WHERE NOT enabled AND disabled_reason IN ('failing', 'gone') AND disabled_notice_sent_at IS NULL AND disabled_at < $1 LIMIT 100`,
      [cutoff],
    );
    return rows.map((r) => ({ id: r.id, disabledAt: r.disabled_at.getTime() }));
  }
}
