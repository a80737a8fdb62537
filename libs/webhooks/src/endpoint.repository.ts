import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { Endpoint, managerOf, TenantScope, Tx } from '@app/database';
import { backlogSql } from './delivery.repository';

/** An endpoint's health columns and delivery counts, as `GET /v1/endpoints/:id/stats` shows them (raw rows). */
export interface EndpointHealthRows {
  endpoint: Record<string, any>;
  attempts: { hour: number; hour_ok: number; day: number; day_ok: number };
  deliveries: { backlog: number; failed: number; in_flight: number };
}

/** The delivery limits the engine's claim enforces (columns outside the TypeORM entity). */
export interface EndpointLimits {
  maxInFlight: number;
  rateLimitPerSecond: number | null;
}

/*
 * The owner of `endpoints`: every statement that writes the table is here (test/table-owner-rule.spec.ts). The
 * engine's health and pacing writes run inside the claim's and the record's own statements or transactions, on
 * their connections: they take these fragments instead of a method, so no round trip is added.
 */

/**
 * For AttemptRecordRepository's all-2xx record statement: success closes the circuit and clears the failure count
 * of each endpoint of `stale` (columns id, last_success; rows already locked in id order).
 * @crossTenant builds SQL text and runs nothing: the record heals endpoints by the ids this worker claimed for.
 */
export function endpointsHealedSql(stale: string): string {
  return `UPDATE endpoints e SET consecutive_failures = 0, failing_since = NULL, last_success_at = greatest(e.last_success_at, ${stale}.last_success),
           circuit_state = 'closed', circuit_retry_at = NULL, circuit_opened_count = 0
         FROM ${stale} WHERE e.id = ${stale}.id`;
}

/**
 * For AttemptRecordRepository.updateHealth, in the record's transaction after its lock: consecutive failures,
 * circuit and auto-disable as decided there. $1-$10: one array per column of v below.
 */
export const ENDPOINT_HEALTH_UPDATE_SQL = `UPDATE endpoints e SET
         consecutive_failures = v.failures, failing_since = v.failing_since,
         last_success_at = greatest(e.last_success_at, v.last_success), last_failure_at = v.last_failure,
         circuit_state = v.state, circuit_opened_count = v.opened,
         circuit_retry_at = CASE WHEN v.state = 'open' THEN coalesce(v.probe_at, e.circuit_retry_at) END,
         enabled = CASE WHEN v.disabled_reason IS NULL THEN e.enabled ELSE false END,
         disabled_reason = coalesce(v.disabled_reason, e.disabled_reason),
         -- The clock the rule was decided on, not the transaction's start: disabled_at - failing_since
         -- then shows the whole window that justified it.
         disabled_at = CASE WHEN v.disabled_reason IS NULL THEN e.disabled_at ELSE v.decided_at END,
         disabled_notice_sent_at = CASE WHEN v.disabled_reason IS NULL THEN e.disabled_notice_sent_at END
       FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::int[], $8::timestamptz[], $9::text[], $10::timestamptz[])
         AS v(id, failures, failing_since, last_success, last_failure, state, opened, probe_at, disabled_reason, decided_at)
       WHERE e.id = v.id`;

/**
 * For DeliveryClaimRepository's claim, by the endpoints' lease holder after its pick: the circuit's probe taken
 * (half_open) and the rate limit's next slot. $1 ids, $2 probe flags, $3 next rate times (null: unchanged).
 */
export const ENDPOINT_CLAIM_WRITE_BACK_SQL = `UPDATE endpoints e SET circuit_state = CASE WHEN v.probe THEN 'half_open' ELSE e.circuit_state END, rate_next_at = coalesce(v.rate_at, e.rate_next_at)
         FROM unnest($1::text[], $2::bool[], $3::timestamptz[]) AS v(id, probe, rate_at) WHERE e.id = v.id`;

/**
 * For DeliveryClaimRepository's claim, before its pick when some endpoints asked are not held yet: the endpoints of
 * $1 that are enabled and free (never leased, lapsed, or already $2's) are leased to owner $2 for $3 ms. An endpoint
 * another live worker holds is left alone: that worker pumps it. Locked in id order, as the record's health writes
 * lock them, so the two cannot deadlock. The lease columns are not indexed: a HOT update of the endpoint row.
 */
export const ENDPOINT_LEASE_TAKE_SQL = `UPDATE endpoints e SET lease_owner = $2, lease_until = clock_timestamp() + $3 * interval '1 millisecond'
    WHERE e.id IN (SELECT f.id FROM endpoints f WHERE f.id = ANY($1::text[]) AND f.enabled AND f.deleted_at IS NULL
                     AND (f.lease_owner = $2 OR f.lease_until IS NULL OR f.lease_until < clock_timestamp())
                   ORDER BY f.id FOR NO KEY UPDATE OF f)
      AND (e.lease_owner = $2 OR e.lease_until IS NULL OR e.lease_until < clock_timestamp())`;

/**
 * For DeliveryClaimRepository.beat (the heartbeat's own connection): $1 owner renews its leases of endpoints $2 for
 * $4 ms (taking back one left free meanwhile), each with $3 sends not yet recorded (the endpoint's stats show
 * them), and lets $5 go (nothing unrecorded there). Returns the endpoints it still holds; one taken over meanwhile (this worker looked dead) is not among them.
 */
export const ENDPOINT_LEASE_BEAT_SQL = `WITH locked AS (
    -- In id order, as the claim and the record lock endpoints, so the beat cannot deadlock with them.
    SELECT f.id FROM endpoints f WHERE f.id = ANY($2::text[] || $5::text[]) ORDER BY f.id FOR NO KEY UPDATE
  ), renewed AS (
    UPDATE endpoints e SET lease_owner = $1, lease_until = clock_timestamp() + $4 * interval '1 millisecond', lease_in_flight = v.n
    FROM unnest($2::text[], $3::int[]) AS v(id, n)
    WHERE e.id = v.id AND e.id IN (SELECT id FROM locked)
      AND (e.lease_owner = $1 OR e.lease_until IS NULL OR e.lease_until < clock_timestamp()) RETURNING e.id
  ), released AS (
    UPDATE endpoints e SET lease_owner = NULL, lease_until = NULL, lease_in_flight = 0
    WHERE e.id = ANY($5::text[]) AND e.id IN (SELECT id FROM locked) AND e.lease_owner = $1 RETURNING e.id
  )
  -- released runs although nothing reads it (a data-modifying WITH always runs to completion).
  SELECT id FROM renewed`;

/** The partner-facing endpoint rows: the CRUD, controls, health. Every method takes the tenant, but the marked ones. */
@Injectable()
export class EndpointRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A live (not deleted) endpoint of the scope, or null; inside `tx` when given. */
  live(scope: TenantScope, id: string, tx?: Tx): Promise<Endpoint | null> {
    return (tx ? managerOf(tx) : this.db.manager).findOneBy(Endpoint, { id, partnerId: scope.partnerId, environment: scope.environment, deletedAt: IsNull() });
  }

  /** The scope's live endpoints, oldest first. */
  list(scope: TenantScope): Promise<Endpoint[]> {
    return this.db.getRepository(Endpoint).find({
      where: { partnerId: scope.partnerId, environment: scope.environment, deletedAt: IsNull() },
      order: { createdAt: 'ASC' },
    });
  }

  /**
   * Serialises the scope's endpoint creations until `tx` ends, so that counting then inserting cannot overshoot the
   * cap: two creations at once would both count nine.
   */
  async lockScopeForCreation(tx: Tx, scope: TenantScope): Promise<void> {
    await managerOf(tx).query('SELECT pg_advisory_xact_lock(hashtext($1))', [`endpoints:${scope.partnerId}:${scope.environment}`]);
  }

  countLive(tx: Tx, scope: TenantScope): Promise<number> {
    return managerOf(tx).countBy(Endpoint, { partnerId: scope.partnerId, environment: scope.environment, deletedAt: IsNull() });
  }

  /** A new endpoint of the scope with its delivery limits. */
  async insert(tx: Tx, scope: TenantScope, endpoint: Endpoint, limits: EndpointLimits): Promise<void> {
    await managerOf(tx).insert(Endpoint, { ...endpoint, partnerId: scope.partnerId, environment: scope.environment });
    await managerOf(tx).query('UPDATE endpoints SET max_in_flight = $2, rate_limit_per_second = $3 WHERE id = $1 AND partner_id = $4', [
      endpoint.id,
      limits.maxInFlight,
      limits.rateLimitPerSecond,
      scope.partnerId,
    ]);
  }

  /** The delivery limits of the scope's endpoints among `ids`. */
  async limitsOf(scope: TenantScope, ids: string[]): Promise<Map<string, EndpointLimits>> {
    const rows: { id: string; max_in_flight: number; rate: number | null }[] = await this.db.query(
      'SELECT id, max_in_flight, rate_limit_per_second::float8 AS rate FROM endpoints WHERE id = ANY($1) AND partner_id = $2 AND environment = $3',
      [ids, scope.partnerId, scope.environment],
    );
    return new Map(rows.map((r) => [r.id, { maxInFlight: r.max_in_flight, rateLimitPerSecond: r.rate }]));
  }

  /** The partner's edits of an endpoint of the scope (url, event types, description, enabled); the row as stored. */
  async saveSettings(scope: TenantScope, endpoint: Endpoint): Promise<Endpoint> {
    const { url, eventTypes, description, enabled } = endpoint;
    await this.db.getRepository(Endpoint).update({ id: endpoint.id, partnerId: scope.partnerId, environment: scope.environment }, { url, eventTypes, description, enabled });
    return (await this.live(scope, endpoint.id)) ?? endpoint;
  }

  /** Soft delete: nothing more is sent to it, and its delivery history stays readable. */
  async softDelete(scope: TenantScope, id: string): Promise<void> {
    await this.db.getRepository(Endpoint).update({ id, partnerId: scope.partnerId, environment: scope.environment }, { deletedAt: new Date(), enabled: false });
  }

  /** A new sealed secret; the previous one keeps signing until `previousExpiresAt`. */
  async replaceSecret(scope: TenantScope, id: string, sealed: string, previousSealed: string, previousExpiresAt: Date): Promise<void> {
    await this.db.getRepository(Endpoint).update(
      { id, partnerId: scope.partnerId, environment: scope.environment },
      { secretEncrypted: sealed, previousSecretEncrypted: previousSealed, previousSecretExpiresAt: previousExpiresAt },
    );
  }

  /** The scope's live endpoints subscribed to `type` (an empty list of event types means all of them). */
  subscribed(tx: Tx, scope: TenantScope, type: string): Promise<Endpoint[]> {
    return managerOf(tx)
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
  async enable(tx: Tx, scope: TenantScope, id: string): Promise<boolean> {
    const [, count] = await managerOf(tx).query(
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
  async closeCircuit(tx: Tx, scope: TenantScope, id: string): Promise<void> {
    await managerOf(tx).query(
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
        // Each count by its own index (deliveries_endpoint_waiting, deliveries_endpoint_failed), not through every delivery the endpoint ever had.
        `SELECT (SELECT count(*)::int FROM deliveries d WHERE d.endpoint_id = $1 AND d.partner_id = $3 AND ${backlogSql('d')}) AS backlog,
                (SELECT count(*)::int FROM deliveries d WHERE d.endpoint_id = $1 AND d.partner_id = $3 AND d.status = 'failed') AS failed,
                -- The worker holding the endpoint's lease counts its sends not yet recorded on each beat.
                (SELECT CASE WHEN e.lease_until > $2 THEN e.lease_in_flight ELSE 0 END FROM endpoints e WHERE e.id = $1) AS in_flight`,
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
              (SELECT count(*)::int FROM deliveries d WHERE d.endpoint_id = e.id AND ${backlogSql('d')}) AS backlog
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
