import { Injectable } from '@nestjs/common';
import { managerOf, Message, TenantScope, Tx } from '@app/database';

/** The alphabet of newId (libs/database/src/ids.ts), for ids made in SQL. */
const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnpqrstvwxyz';

/** The PostgreSQL channel on which a committed delivery's endpoint id is announced (the DeliveryDispatcher LISTENs on it). */
export const DELIVERY_DUE_CHANNEL = 'delivery_due';

/** A message about to be written: partner and environment come from the scope. */
export interface OutboxMessage {
  id: string;
  type: string;
  orderId: string | null;
  body: string;
  createdAt: Date;
}

/**
 * A delivery id made in SQL, one per row (the WHERE names the row, so PostgreSQL cannot compute it once for all):
 * the shape of newId('dlv'). Not a secret: deliveries are only ever read under their partner's scope.
 */
const DELIVERY_ID_SQL = (row: string) =>
  `'dlv_' || (SELECT string_agg(substr('${ID_ALPHABET}', 1 + floor(random() * ${ID_ALPHABET.length})::int, 1), '') FROM generate_series(1, 22) WHERE ${row} IS NOT NULL)`;

/**
 * Announce the endpoint at commit unless one of its deliveries is already waiting unleased: that one's own
 * announcement (or the send in flight that keeps it waiting) brings a claim, which takes this one too. A
 * transaction that notifies commits alone (PostgreSQL serialises NOTIFY commits through their WAL flush), so
 * skipping redundant announcements is what lets many producers commit together. The rare race this leaves (that
 * claim ran just before this commit) is covered by the dispatcher's short poll (DeliveryDispatcher).
 */
const ANNOUNCE_SQL = (endpoint: string) => `NOT EXISTS (
  SELECT 1 FROM deliveries w WHERE w.endpoint_id = ${endpoint} AND w.status = 'pending' AND w.lease_until IS NULL AND w.next_attempt_at <= now())`;

/** Where the message's values come from in the statement that embeds the outbox write: SQL expressions. */
export interface OutboxWriteParams {
  partnerId: string;
  environment: string;
  id: string;
  type: string;
  orderId: string;
  /** The message's body: a parameter, or an expression of the gate's columns (a number known only in SQL). */
  body: string;
  createdAt: string;
  orderingKey: string;
  /** A CTE the message is written FROM: no row there, no message (the invoice the message announces was not issued). */
  gate?: string;
}

/**
 * The outbox write as SQL to embed: `ctes` (to follow the statement's other CTEs) write the message (ignored if
 * already recorded: the unique index on messages makes replays harmless) and one pending delivery per endpoint of
 * the scope subscribed to its type (disabled ones included: their deliveries wait, and flow in order once the endpoint
 * is enabled again, instead of being lost for the outage); `announce` is a SELECT of the
 * new deliveries (`delivery_id`, `announced`) that NOTIFYs their endpoints on DELIVERY_DUE_CHANNEL (see
 * ANNOUNCE_SQL) as it is read, so the statement must read it. The one writer of messages and deliveries: a
 * repository that writes something the message reports in the same statement (the paid invoice) embeds it, and
 * every delivery wakes the dispatcher the same way, at commit.
 *
 * @crossTenant Builds SQL text once, at module load, and runs nothing: the tenant is the embedding statement's
 * `partnerId` and `environment` parameters, which its repository method binds from the TenantScope it takes.
 */
export function outboxWriteSql(p: OutboxWriteParams): { ctes: string; announce: string } {
  const ctes = `message AS (
         INSERT INTO messages (id, partner_id, environment, type, order_id, body, created_at)
         SELECT ${p.id}, ${p.partnerId}, ${p.environment}, ${p.type}, ${p.orderId}, ${p.body}, ${p.createdAt}${p.gate ? ` FROM ${p.gate}` : ''}
         ON CONFLICT DO NOTHING RETURNING id
       ), addressed AS (
         SELECT e.id AS endpoint_id, ${ANNOUNCE_SQL('e.id')} AS announce FROM endpoints e
         WHERE EXISTS (SELECT 1 FROM message) AND e.partner_id = ${p.partnerId} AND e.environment = ${p.environment} AND e.deleted_at IS NULL
           AND (cardinality(e.event_types) = 0 OR ${p.type} = ANY(e.event_types))
       ), inserted AS (
         INSERT INTO deliveries (id, message_id, endpoint_id, partner_id, order_id, status, attempt_count, next_attempt_at, created_at)
         SELECT ${DELIVERY_ID_SQL('a.endpoint_id')}, m.id, a.endpoint_id, ${p.partnerId}, ${p.orderingKey}, 'pending', 0, ${p.createdAt}, ${p.createdAt}
         FROM addressed a, message m
         RETURNING id, endpoint_id
       )`;
  const announce = `SELECT i.id AS delivery_id, CASE WHEN a.announce THEN pg_notify('${DELIVERY_DUE_CHANNEL}', i.endpoint_id) END AS announced
       FROM inserted i JOIN addressed a ON a.endpoint_id = i.endpoint_id`;
  return { ctes, announce };
}

const RECORD_MESSAGE = outboxWriteSql({ id: '$1', partnerId: '$2', environment: '$3', type: '$4', orderId: '$5', body: '$6', createdAt: '$7::timestamptz', orderingKey: '$8' });

/** The outbox's rows (messages and their deliveries), written inside the caller's transaction. Every method takes the tenant. */
@Injectable()
export class OutboxRepository {
  /**
   * The whole outbox write in ONE statement (one round trip inside the caller's transaction): the message (ignored
   * if already recorded: the unique index on messages makes replays harmless), one pending delivery per endpoint
   * of the scope subscribed to its type (disabled ones included, see outboxWriteSql), and the endpoints
   * announced on DELIVERY_DUE_CHANNEL (see ANNOUNCE_SQL). Returns the new deliveries' ids, none on a replay.
   */
  async recordMessage(tx: Tx, scope: TenantScope, message: OutboxMessage, orderingKey: string | null): Promise<string[]> {
    const rows: { delivery_id: string }[] = await managerOf(tx).query(
      `WITH ${RECORD_MESSAGE.ctes} ${RECORD_MESSAGE.announce}`,
      [message.id, scope.partnerId, scope.environment, message.type, message.orderId, message.body, message.createdAt, orderingKey],
    );
    return rows.map((r) => r.delivery_id);
  }

  /** False when the message was already recorded (the unique index on messages makes replays harmless). */
  async insertMessage(tx: Tx, scope: TenantScope, message: OutboxMessage): Promise<boolean> {
    const inserted = await managerOf(tx)
      .createQueryBuilder()
      .insert()
      .into(Message)
      .values({ ...message, partnerId: scope.partnerId, environment: scope.environment })
      .orIgnore()
      .returning(['id'])
      .execute();
    return inserted.raw.length > 0;
  }

  /**
   * One pending delivery per endpoint; seq (an identity) gives the creation order that per-order ordering follows.
   * Each endpoint is announced on DELIVERY_DUE_CHANNEL in the same statement: PostgreSQL sends the notification
   * when (and only if) the caller's transaction commits, so the engine wakes as the message becomes visible.
   */
  async insertDeliveries(
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
}
