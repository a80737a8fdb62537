import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { asTx, Attempt, newId, newSortableIds, queryNamedOnPool, scopeOfStoredRow, TenantScope } from '@app/database';
import type { AttemptVerdict } from './attempt-outcome';
import type { ClaimedDelivery, ClaimedEndpoint } from './delivery-claim.repository';
import { DeliveryRepository, recordDeliveriesSql } from './delivery.repository';
import { ENDPOINT_HEALTH_UPDATE_SQL, endpointsHealedSql } from './endpoint.repository';
import { envelopeOf } from './message-body';
import { OutboxRepository } from './outbox.repository';
import { circuitCooldownMs, DELIVERY_POLICY } from './retry-schedule';
import type { SendResult } from './webhook-sender';
import { metrics } from '@app/observability';

export interface CompletedAttempt {
  endpoint: ClaimedEndpoint;
  delivery: ClaimedDelivery;
  attemptedAt: Date;
  finishedAt: Date;
  result: SendResult;
  verdict: AttemptVerdict;
}

export interface RecordFollowUps {
  /** Endpoints whose in-flight slots were freed, or that got new deliveries: claim again now. */
  pump: Set<string>;
  /** Retries and probes: wake the endpoint then. */
  wakes: { endpointId: string; at: Date }[];
  /** Endpoints disabled by this batch (410 or the failure window): the partner is emailed. */
  disabled: string[];
}

/**
 * The owner of `attempts`: every statement that writes the table is here (test/table-owner-rule.spec.ts); the
 * deliveries' and endpoints' parts of a record are their owners' SQL fragments, embedded in the same statement.
 *
 * Records a batch of finished attempts in one transaction (group commit):
 * the attempts, the deliveries' next state, the endpoints' health, and the
 * `message.attempt.exhausted` messages. A result whose delivery moved on
 * meanwhile (its lease ran out and another worker re-sent it) is still
 * recorded as an attempt but changes nothing else.
 */
@Injectable()
export class AttemptRecordRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly deliveries: DeliveryRepository,
  ) {}

  /** The ping's one attempt, and its delivery settled by it (delivered or failed: a ping is never retried). */
  async recordPing(scope: TenantScope, attempt: Attempt, ok: boolean): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(Attempt, attempt);
      await this.deliveries.settlePing(asTx(tx), scope, attempt, ok);
    });
  }

  /**
   * @crossTenant one group commit for the worker's finished attempts, whoever's they are: each row is written by the
   * id of a delivery this worker claimed, and what follows from it takes that delivery's own scope (scopeOfStoredRow).
   */
  record(batch: CompletedAttempt[], scale: number): Promise<RecordFollowUps> {
    if (batch.every((c) => c.verdict.kind === 'delivered')) return this.recordDelivered(batch);
    return this.db.transaction(async (tx) => {
      const followUps: RecordFollowUps = { pump: new Set(), wakes: [], disabled: [] };
      const next = nextStates(batch);
      // One statement for both (the insert CTE runs although nothing reads it): round trips are what cost under load.
      await tx.query(NO_WAL_FLUSH);
      const applied: AppliedRow[] = await tx.query(
        `WITH ${BATCH_SQL}, recorded AS (${INSERT_ATTEMPTS}) ${UPDATE_DELIVERIES}`,
        [batchJson(batch, next)],
      ).then((r: [AppliedRow[], number]) => r[0]);
      const appliedIds = observe(batch, applied);
      batch.forEach((c, i) => {
        followUps.pump.add(c.endpoint.id);
        if (appliedIds.has(c.delivery.id) && next[i].nextAt) followUps.wakes.push({ endpointId: c.endpoint.id, at: next[i].nextAt! });
      });
      const byEndpoint = new Map<string, CompletedAttempt[]>();
      for (const c of batch) byEndpoint.set(c.endpoint.id, [...(byEndpoint.get(c.endpoint.id) ?? []), c]);
      for (const outcome of await this.updateHealth(tx, byEndpoint, scale)) {
        if (outcome.disabled) followUps.disabled.push(outcome.endpointId);
        if (outcome.probeAt) followUps.wakes.push({ endpointId: outcome.endpointId, at: outcome.probeAt });
      }
      for (const c of batch) {
        if (c.verdict.kind !== 'failed' || c.verdict.reason !== 'exhausted' || !appliedIds.has(c.delivery.id)) continue;
        for (const endpointId of await this.announceExhausted(tx, c)) followUps.pump.add(endpointId);
      }
      return followUps;
    });
  }

  /**
   * The common case, every attempt of the batch a 2xx, in one statement and no transaction: whatever the endpoints'
   * health was, success closes the circuit and clears the failure count, so nothing needs reading or locking first.
   * An endpoint already healthy has its last success moved at most once a second, so busy endpoints' rows (which
   * claims lock) are not rewritten on every batch.
   * @crossTenant the same group commit as `record`, by the ids of deliveries and endpoints this worker claimed.
   */
  private async recordDelivered(batch: CompletedAttempt[]): Promise<RecordFollowUps> {
    const { rows: applied } = await queryNamedOnPool<AppliedRow>(this.db, RECORD_DELIVERED, [batchJson(batch, nextStates(batch))]);
    observe(batch, applied);
    return { pump: new Set(batch.map((c) => c.endpoint.id)), wakes: [], disabled: [] };
  }

  /**
   * Consecutive failures, the circuit, and the auto-disable rule, from this batch's outcomes in order.
   * @crossTenant endpoints are updated by the ids of the batch's claimed deliveries only.
   */
  private async updateHealth(tx: EntityManager, byEndpoint: Map<string, CompletedAttempt[]>, scale: number) {
    // Locked in id order, so two batches touching the same endpoints cannot deadlock; NO KEY UPDATE
    // does not wait for (or deadlock with) outbox transactions holding the foreign key's KEY SHARE.
    const rows: Record<string, any>[] = await tx.query(
      `SELECT id, consecutive_failures, failing_since, last_failure_at, circuit_state, circuit_opened_count, enabled, clock_timestamp() AS now
       FROM endpoints WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`,
      [[...byEndpoint.keys()]],
    );
    const updates = rows.map((ep) => ({ ep, ...this.nextHealth(ep, byEndpoint.get(ep.id)!, scale) }));
    await tx.query(
      // Written by the endpoints' owner (EndpointRepository).
      ENDPOINT_HEALTH_UPDATE_SQL,
      [
        updates.map((u) => u.ep.id),
        updates.map((u) => u.failures),
        updates.map((u) => u.failingSince),
        updates.map((u) => u.lastSuccess),
        updates.map((u) => u.lastFailure),
        updates.map((u) => u.state),
        updates.map((u) => u.opened),
        updates.map((u) => u.probeAt),
        updates.map((u) => u.disabledReason),
        updates.map((u) => u.ep.now),
      ],
    );
    return updates.map((u) => ({ endpointId: u.ep.id as string, disabled: u.disabledReason !== null, probeAt: u.probeAt }));
  }

  private nextHealth(ep: Record<string, any>, results: CompletedAttempt[], scale: number) {
    const now: Date = ep.now;
    const sorted = [...results].sort((a, b) => a.finishedAt.getTime() - b.finishedAt.getTime());
    let failures: number = ep.consecutive_failures;
    let failingSince: Date | null = ep.failing_since;
    let lastSuccess: Date | null = null;
    let lastFailure: Date | null = ep.last_failure_at;
    let gone = false;
    for (const r of sorted) {
      if (r.verdict.kind === 'delivered') {
        failures = 0;
        failingSince = null;
        lastSuccess = r.finishedAt;
      } else {
        failures += 1;
        failingSince ??= r.attemptedAt;
        lastFailure = r.finishedAt;
        gone ||= r.verdict.gone;
      }
    }
    let state: string = ep.circuit_state;
    let opened: number = ep.circuit_opened_count;
    let probeAt: Date | null = null;
    if (failures === 0) {
      state = 'closed';
      opened = 0;
    } else if ((state === 'half_open' && sorted.some((r) => r.delivery.probe)) || (state === 'closed' && failures >= DELIVERY_POLICY.circuitThreshold)) {
      // A failed probe re-opens for longer; crossing the threshold opens it.
      opened += 1;
      state = 'open';
      probeAt = new Date(now.getTime() + circuitCooldownMs(opened, scale));
    }
    let disabledReason: string | null = null;
    if (ep.enabled && gone) disabledReason = 'gone';
    else if (
      ep.enabled &&
      failures > 0 &&
      failingSince &&
      lastFailure &&
      now.getTime() - failingSince.getTime() >= DELIVERY_POLICY.disableAfterMs * scale &&
      lastFailure.getTime() - failingSince.getTime() >= DELIVERY_POLICY.minFailureSpanMs * scale
    ) {
      disabledReason = 'failing';
    }
    return { failures, failingSince, lastSuccess, lastFailure, state, opened, probeAt, disabledReason };
  }

  /**
   * The partner hears of a message we gave up on, on its other healthy endpoints.
   * @crossTenant the endpoints are those of the exhausted delivery's own partner and environment (its row's columns).
   */
  private async announceExhausted(tx: EntityManager, c: CompletedAttempt): Promise<string[]> {
    if (c.delivery.type === 'message.attempt.exhausted' || c.verdict.kind !== 'failed') return [];
    const others: { id: string }[] = await tx.query(
      `SELECT id FROM endpoints
       WHERE partner_id = $1 AND environment = $2 AND id <> $3 AND enabled AND deleted_at IS NULL AND circuit_state = 'closed'
         AND (cardinality(event_types) = 0 OR 'message.attempt.exhausted' = ANY(event_types))`,
      [c.delivery.partnerId, c.delivery.environment, c.endpoint.id],
    );
    const ids = others.map((o) => o.id);
    if (ids.length === 0) return [];
    const scope = scopeOfStoredRow(c.delivery);
    const message = {
      id: newId('msg'),
      type: 'message.attempt.exhausted',
      orderId: null,
      createdAt: c.finishedAt,
      body: envelopeOf(
        'message.attempt.exhausted',
        {
          message_id: c.delivery.messageId,
          message_type: c.delivery.type,
          order_id: c.delivery.orderId,
          endpoint_id: c.endpoint.id,
          endpoint_url: c.endpoint.url,
          attempts: c.delivery.attemptsMade + 1,
          last_status_code: c.result.statusCode,
          last_error: c.verdict.error,
          failed_at: c.finishedAt.toISOString(),
        },
        c.finishedAt,
      ),
    };
    if (!(await this.outbox.insertMessage(asTx(tx), scope, message))) return [];
    await this.deliveries.insertPending(asTx(tx), scope, { messageId: message.id, orderingKey: null, createdAt: c.finishedAt }, ids.map(() => newId('dlv')), ids);
    return ids;
  }
}

/**
 * The engine's own records commit without waiting for the WAL flush (synchronous_commit off for this transaction
 * only, never for a producer's): what a PostgreSQL crash could lose is the last fraction of a second of recorded
 * attempts, whose deliveries are then sent again with the same webhook-id, as after a worker crash. Waiting for
 * the flush made every batch queue behind the disk.
 */
const NO_WAL_FLUSH = `SELECT set_config('synchronous_commit', 'off', true) AS _`;

type AppliedRow = { id: string; status: string; latency_s: number | null };

/**
 * The batch as a relation `batch`, from $1: one JSON array of objects (batchJson), timestamps as epoch milliseconds.
 * One parameter, not one array per column: pg serialised each of ~14 arrays element by element (escaping every
 * text), ~1.4-2.7 µs per attempt of the worker's CPU; JSON.stringify is V8's own, ~0.5 µs.
 */
const BATCH_SQL = `batch AS MATERIALIZED (
    SELECT b.id, b.delivery_id, b.message_id, b.endpoint_id, b.status_code, b.duration_ms, b.response_body, b.error,
           b.attempt_count, b.status, b.reason,
           to_timestamp(b.attempted_at / 1000) AS attempted_at, to_timestamp(b.finished_at / 1000) AS finished_at,
           to_timestamp(b.next_at / 1000) AS next_at
    FROM json_to_recordset($1::json) AS b(id text, delivery_id text, message_id text, endpoint_id text, status_code int,
      duration_ms int, response_body text, error text, attempt_count int, status text, reason text,
      attempted_at float8, finished_at float8, next_at float8))`;

const INSERT_ATTEMPTS = `INSERT INTO attempts (id, delivery_id, message_id, endpoint_id, attempted_at, status_code, duration_ms, response_body, error)
  SELECT id, delivery_id, message_id, endpoint_id, attempted_at, status_code, duration_ms, response_body, error FROM batch`;

/** The deliveries' next state, written by their owner (DeliveryRepository); moved on meanwhile: unchanged. */
const UPDATE_DELIVERIES = recordDeliveriesSql('batch');

/**
 * The all-2xx record (see recordDelivered): $1 the batch (batchJson); each endpoint's last success is its latest
 * finished attempt there. Named (PostgreSQL parses it once per pool connection: as unnamed text it cost ~0.44 ms of PostgreSQL CPU per
 * statement besides its rows, ~0.23 ms named), its generic plan still reaches the deliveries by deliveries_pkey (`d.id = ANY(...)`, checked with
 * plan_cache_mode = force_generic_plan on 40,000 pending deliveries).
 */
export const RECORD_DELIVERED = {
  name: 'delivery_record_delivered',
  text: `WITH ${BATCH_SQL},
       recorded AS (${INSERT_ATTEMPTS}),
       stale AS (
         -- Locked in id order, as updateHealth does, so two batches touching the same endpoints cannot deadlock.
         SELECT e.id, v.last_success FROM endpoints e
         JOIN (SELECT endpoint_id AS id, max(finished_at) AS last_success FROM batch GROUP BY endpoint_id) v ON v.id = e.id
         WHERE e.consecutive_failures <> 0 OR e.circuit_state <> 'closed' OR e.last_success_at IS NULL
           OR e.last_success_at < v.last_success - interval '1 second'
         ORDER BY e.id FOR NO KEY UPDATE OF e
       ),
       -- Written by the endpoints' owner (EndpointRepository), the deliveries' below by theirs (DeliveryRepository).
       healthy AS (${endpointsHealedSql('stale')}),
       applied AS (${UPDATE_DELIVERIES}),
       -- See NO_WAL_FLUSH; read below, so it runs, and is in force when this statement's own transaction commits.
       engine_write AS (${NO_WAL_FLUSH})
       SELECT applied.* FROM applied, engine_write`,
};

function nextStates(batch: CompletedAttempt[]): { status: string; nextAt: Date | null }[] {
  return batch.map((c) => {
    const v = c.verdict;
    return {
      status: v.kind === 'delivered' ? 'delivered' : v.kind === 'failed' ? 'failed' : 'pending',
      nextAt: v.kind === 'retry' ? new Date(c.finishedAt.getTime() + v.delayMs) : null,
    };
  });
}

/** $1 of BATCH_SQL: one object per attempt, keyed by its columns there. */
function batchJson(batch: CompletedAttempt[], next: { status: string; nextAt: Date | null }[]): string {
  const ids = newSortableIds('att', batch.length);
  return JSON.stringify(
    batch.map((c, i) => ({
      id: ids[i],
      delivery_id: c.delivery.id,
      message_id: c.delivery.messageId,
      endpoint_id: c.endpoint.id,
      status_code: c.result.statusCode,
      duration_ms: c.result.durationMs,
      response_body: c.result.responseBody,
      error: c.verdict.kind === 'delivered' ? null : c.verdict.error,
      attempt_count: c.delivery.attemptsMade,
      status: next[i].status,
      reason: c.verdict.kind === 'failed' ? c.verdict.reason : null,
      attempted_at: c.attemptedAt.getTime(),
      finished_at: c.finishedAt.getTime(),
      next_at: next[i].nextAt?.getTime() ?? null,
    })),
  );
}

/** Counts the batch's outcomes and the delivered ones' delay; returns the ids whose delivery the batch moved on. */
function observe(batch: CompletedAttempt[], applied: AppliedRow[]): Set<string> {
  for (const c of batch) metrics.deliveries.inc({ outcome: c.verdict.kind });
  for (const r of applied) {
    if (r.latency_s !== null) metrics.deliveryLatency.observe(r.latency_s);
  }
  return new Set(applied.map((r) => r.id));
}
