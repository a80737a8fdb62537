import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Attempt, Delivery, managerOf, Message, newId, TenantScope, Tx } from '@app/database';

/*
 * The owner of `deliveries`: every statement that writes the table is here, as a method or, for the engine's
 * multi-table statements that must stay one round trip (the outbox write, the record of a batch), as a SQL fragment that statement embeds (test/table-owner-rule.spec.ts holds the rule).
 */

/** The PostgreSQL channel on which a committed delivery's endpoint id is announced (the DeliveryDispatcher LISTENs on it). */
export const DELIVERY_DUE_CHANNEL = 'delivery_due';

/** The alphabet of newId (libs/database/src/ids.ts), for ids made in SQL. */
const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnpqrstvwxyz';

/**
 * A delivery id made in SQL, one per row (the WHERE names the row, so PostgreSQL cannot compute it once for all):
 * the shape of newId('dlv'). Not a secret: deliveries are only ever read under their partner's scope.
 */
const DELIVERY_ID_SQL = (row: string) =>
  `'dlv_' || (SELECT string_agg(substr('${ID_ALPHABET}', 1 + floor(random() * ${ID_ALPHABET.length})::int, 1), '') FROM generate_series(1, 22) WHERE ${row} IS NOT NULL)`;

/**
 * For outboxWriteSql: one pending delivery per row of `addressed` (column endpoint_id) for the message of `message`
 * (column id), ids made in SQL; returns id, endpoint_id. The other arguments are SQL expressions.
 * @crossTenant builds SQL text and runs nothing: the tenant is outboxWriteSql's, bound by the embedding statement.
 */
export function pendingDeliveriesInsertSql(p: { addressed: string; message: string; partnerId: string; orderingKey: string; createdAt: string }): string {
  return `INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, order_id, status, attempt_count, next_attempt_at, created_at)
         SELECT ${DELIVERY_ID_SQL('a.endpoint_id')}, m.id, a.endpoint_id, ${p.partnerId}, ${p.orderingKey}, 'pending', 0, ${p.createdAt}, ${p.createdAt}
         FROM ${p.addressed} a, ${p.message} m
         RETURNING id, endpoint_id`;
}

/**
 * "Still waiting to be delivered" (status 'pending') over a delivery aliased `alias`, for the engine's hot reads (the
 * ordering rule, the due pick, the wake check, the waiting-endpoint poll). Written `status <> 'delivered' AND status
 * <> 'failed'` (the same rows: the status check allows three values) so that it matches only the predicates of
 * deliveries_order_waiting (with the rule's `order_id =`) and deliveries_endpoint_waiting (with the others'
 * `next_attempt_at <=`): each read's one sensible plan is then a probe of its index in key order, whatever the
 * statistics. Written `status = 'pending'`, it also matched deliveries_due (next_attempt_at WHERE status =
 * 'pending'); with statistics taken while nothing was pending (a fresh table, a sale's sudden backlog, autovacuum
 * behind) PostgreSQL walked that whole index per candidate (migration 1763800900000; test/delivery-order-plan.int-spec.ts).
 */
export const waitingSql = (alias: string) => `${alias}.status <> 'delivered' AND ${alias}.status <> 'failed'`;

/**
 * An endpoint's backlog over a delivery aliased `alias`: waiting (waitingSql) with a next attempt, which only a ping's
 * delivery lacks (it is settled by its one attempt, never picked). So that a count or list of an endpoint's pending
 * deliveries reads deliveries_endpoint_waiting, whose predicate this is: `endpoint_id = $1 AND status = 'pending'`
 * implies no index of an endpoint's pending deliveries, and was walked through every pending one (deliveries_due).
 */
export const backlogSql = (alias: string) => `${waitingSql(alias)} AND ${alias}.next_attempt_at IS NOT NULL`;

/**
 * The ordering rule over a delivery aliased `d`: an earlier message of the same order (or subscription) still
 * pending at the same endpoint holds it back. One text for both claims and the waiting-endpoint poll, so the
 * rule (and its plan: deliveries_order_waiting, see waitingSql) changes in one place.
 */
export const NOT_HELD_BACK_BY_ITS_ORDER_SQL = `(d.order_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM deliveries o
        WHERE o.endpoint_id = d.endpoint_id AND o.order_id = d.order_id AND o.seq < d.seq AND ${waitingSql('o')}))`;

/**
 * For the claim: up to `limit` deliveries of `endpointId` due at `at` (SQL expressions), not held back by their
 * order, oldest first, except `held` (a SQL text[]: those this worker has sent and not recorded yet). A read, no
 * row lock and no write: the worker holding the endpoint's lease is the only one that picks for it. A walk of
 * deliveries_endpoint_waiting in key order (see waitingSql) that stops after `limit` (plus the held ones it skips):
 * the rule is checked for the deliveries taken, not for the endpoint's whole backlog.
 * The held ones are skipped by a hashed subplan (`NOT IN (SELECT unnest(...))`, built once per statement), not by
 * `<> ALL(...)`: in the named claim's generic plan the array is a parameter, which PostgreSQL compares element by
 * element, and the walk meets every held delivery first (they are the oldest due). With 8 busy endpoints holding
 * 40 each, that was ~1.5 ms of PostgreSQL CPU per claim of 40 deliveries, 0.5 ms now.
 * @crossTenant builds SQL text and runs nothing.
 */
export function dueDeliveriesSql(endpointId: string, at: string, limit: string, held = 'ARRAY[]::text[]'): string {
  return `SELECT d.id, d.endpoint_id, d.message_id, d.attempt_count, d.next_attempt_at, d.seq FROM deliveries d
        WHERE d.endpoint_id = ${endpointId} AND ${waitingSql('d')} AND d.next_attempt_at <= ${at}
          AND d.id NOT IN (SELECT unnest(${held})) AND ${NOT_HELD_BACK_BY_ITS_ORDER_SQL}
        ORDER BY d.next_attempt_at, d.seq
        LIMIT ${limit}`;
}

/**
 * For AttemptRecordRepository's record statement: each delivery of the batch moves to its next state. A result
 * whose delivery moved on meanwhile (attempt_count differs) changes nothing. `rows` is the statement's relation of
 * the batch (columns delivery_id, attempt_count: the count the attempt was made at, status, next_at, attempted_at,
 * finished_at, error, reason); returns id, status, and for a delivered one its latency (seconds since the
 * delivery was created, float8), so the worker parses no timestamp per row.
 */
export const recordDeliveriesSql = (rows: string) => `UPDATE deliveries d SET
    attempt_count = v.attempt_count + 1, status = v.status, next_attempt_at = v.next_at, last_attempt_at = v.attempted_at,
    delivered_at = CASE WHEN v.status = 'delivered' THEN v.finished_at END,
    last_error = v.error, failed_reason = v.reason
  FROM ${rows} v
  -- d.id = ANY(...) too: joined to the batch alone, the planner hashed it against a scan of every delivery.
  WHERE d.id = ANY(ARRAY(SELECT delivery_id FROM ${rows})) AND d.id = v.delivery_id AND d.status = 'pending' AND d.attempt_count = v.attempt_count
  RETURNING d.id, d.status,
    CASE WHEN d.status = 'delivered' THEN extract(epoch FROM clock_timestamp() - d.created_at)::float8 END AS latency_s`;

/**
 * Deliveries made pending again (resend, recover), the one-shot ping's, and the exhausted announcement's, outside
 * the engine's claim and record. Every method takes the tenant: a delivery carries its partner, and its endpoint
 * or message was checked in scope.
 */
@Injectable()
export class DeliveryRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Everything the endpoint has waiting is due now (an endpoint enabled again); returns how many deliveries wait (its backlog, see backlogSql).
   * @crossTenant by an endpoint id the caller checked in its scope, in the same transaction.
   */
  async makeWaitingDue(tx: Tx, endpointId: string): Promise<number> {
    await managerOf(tx).query(`UPDATE deliveries SET next_attempt_at = now() WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at > now()`, [endpointId]);
    const [{ n }] = await managerOf(tx).query(`SELECT count(*)::int AS n FROM deliveries d WHERE d.endpoint_id = $1 AND ${backlogSql('d')}`, [endpointId]);
    return n as number;
  }

  message(tx: Tx, scope: TenantScope, id: string): Promise<Message | null> {
    return managerOf(tx).findOneBy(Message, { id, partnerId: scope.partnerId, environment: scope.environment });
  }

  /**
   * The endpoint's deliveries of messages created in [since, until) not delivered yet (failed, or still retrying), oldest
   * first. Read from deliveries_endpoint_failed and deliveries_endpoint_waiting (see backlogSql), never the delivered ones.
   */
  async undelivered(tx: Tx, scope: TenantScope, endpointId: string, since: Date, until: Date): Promise<string[]> {
    const rows: { id: string }[] = await managerOf(tx).query(
      `SELECT d.id FROM deliveries d JOIN messages m ON m.id = d.message_id
       WHERE d.endpoint_id = $1 AND d.partner_id = $4 AND m.created_at >= $2 AND m.created_at < $3
         AND (d.status = 'failed' OR (${backlogSql('d')}))
       ORDER BY m.created_at, m.id`,
      [endpointId, since, until, scope.partnerId],
    );
    return rows.map((r) => r.id);
  }

  /** The message's delivery to this endpoint, or a new pending one (an endpoint created after the message never had one). */
  async forMessage(tx: Tx, scope: TenantScope, message: Message, endpointId: string): Promise<{ id: string; created: boolean }> {
    const existing = await managerOf(tx).findOneBy(Delivery, { messageId: message.id, endpointId, partnerId: scope.partnerId });
    if (existing) return { id: existing.id, created: false };
    const id = newId('dlv');
    await managerOf(tx).query(
      `INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, status, attempt_count, next_attempt_at, order_id)
       VALUES ($1, $2, $3, $4, 'pending', 0, now(), $5)`,
      [id, message.id, endpointId, scope.partnerId, message.orderId],
    );
    return { id, created: true };
  }

  /** Pending again from attempt one; `orderKey` replaces the per-order key when a recovery must go out in sequence. */
  async makePending(tx: Tx, scope: TenantScope, deliveryId: string, orderKey?: string): Promise<void> {
    await managerOf(tx).query(
      `UPDATE deliveries SET status = 'pending', attempt_count = 0, next_attempt_at = now(), delivered_at = NULL,
         last_error = NULL, failed_reason = NULL, order_id = COALESCE($2, order_id)
       WHERE id = $1 AND partner_id = $3`,
      [deliveryId, orderKey ?? null, scope.partnerId],
    );
  }

  async endpointsOf(scope: TenantScope, deliveryIds: string[]): Promise<string[]> {
    if (deliveryIds.length === 0) return [];
    const rows = await this.db.getRepository(Delivery).find({
      where: deliveryIds.map((id) => ({ id, partnerId: scope.partnerId })),
      select: { id: true, endpointId: true },
    });
    return [...new Set(rows.map((r) => r.endpointId))];
  }

  /**
   * One pending delivery per endpoint; seq (an identity) gives the creation order that per-order ordering follows.
   * Each endpoint is announced on DELIVERY_DUE_CHANNEL in the same statement: PostgreSQL sends the notification
   * when (and only if) the caller's transaction commits, so the engine wakes as the message becomes visible.
   */
  async insertPending(
    tx: Tx,
    scope: TenantScope,
    delivery: { messageId: string; orderingKey: string | null; createdAt: Date },
    ids: string[],
    endpointIds: string[],
  ): Promise<void> {
    await managerOf(tx).query(
      `WITH inserted AS (
         INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, order_id, status, attempt_count, next_attempt_at, created_at)
         SELECT d.id, $2, d.endpoint_id, $3, $4, 'pending', 0, $5, $5 FROM unnest($1::text[], $6::text[]) WITH ORDINALITY AS d(id, endpoint_id, n) ORDER BY d.n
         RETURNING endpoint_id
       )
       SELECT pg_notify('${DELIVERY_DUE_CHANNEL}', e.endpoint_id) FROM (SELECT DISTINCT endpoint_id FROM inserted) e`,
      [ids, delivery.messageId, scope.partnerId, delivery.orderingKey, delivery.createdAt, endpointIds],
    );
  }

  /** A ping's one delivery, that the engine never picks up (no next attempt); its message was just written in `tx`. */
  async insertPing(tx: Tx, scope: TenantScope, messageId: string, endpointId: string): Promise<string> {
    const deliveryId = newId('dlv');
    await managerOf(tx).insert(Delivery, { id: deliveryId, messageId, endpointId, partnerId: scope.partnerId, status: 'pending', attemptCount: 0, nextAttemptAt: null });
    return deliveryId;
  }

  /** The ping's delivery settled by its one attempt, written in `tx` (AttemptRecordRepository.recordPing). */
  async settlePing(tx: Tx, scope: TenantScope, attempt: Attempt, ok: boolean): Promise<void> {
    await managerOf(tx).update(
      Delivery,
      { id: attempt.deliveryId, partnerId: scope.partnerId },
      { status: ok ? 'delivered' : 'failed', attemptCount: 1, lastAttemptAt: attempt.attemptedAt, deliveredAt: ok ? new Date() : null },
    );
  }
}
