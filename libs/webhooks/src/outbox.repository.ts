import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { asTx, managerOf, Message, NamedStatement, queryNamed, TenantScope, Tx } from '@app/database';
import { DELIVERY_DUE_CHANNEL, DeliveryRepository, pendingDeliveriesInsertSql, waitingSql } from './delivery.repository';

/*
 * The owner of `messages`: every statement that writes the table is here (test/table-owner-rule.spec.ts). The
 * deliveries written with a message come from their owner, DeliveryRepository (its SQL fragment, or its methods).
 */

/** Where the dispatcher LISTENs; defined by the deliveries' owner, which announces them. */
export { DELIVERY_DUE_CHANNEL };

/** A message about to be written: partner and environment come from the scope. */
export interface OutboxMessage {
  id: string;
  type: string;
  orderId: string | null;
  body: string;
  createdAt: Date;
}

/**
 * Announce the endpoint at commit unless one of its deliveries is already due (waiting, or in flight: the engine
 * does not mark deliveries it sends): that one's own announcement, or the end of its send (which pumps the
 * endpoint), brings a claim, which takes this one too. A
 * transaction that notifies commits alone (PostgreSQL serialises NOTIFY commits through their WAL flush), so
 * skipping redundant announcements is what lets many producers commit together. The rare race this leaves (that
 * claim ran just before this commit) is covered by the dispatcher's short poll (DeliveryDispatcher). A probe of the
 * endpoint's due deliveries in deliveries_endpoint_waiting (see waitingSql), walked from now() backwards: the
 * entries of the endpoint's deliveries recorded since the last vacuum stay in that index, dead, below its waiting
 * ones (their next attempt was earlier), and an `EXISTS` walks up from the oldest, over every one of them, before
 * it meets a waiting delivery (27 index pages per probe at 1,600 recorded deliveries per endpoint, bench:delivery's
 * delay part; 4 backwards). Same answer: a scalar subquery keeps its ORDER BY, which PostgreSQL drops in an EXISTS.
 */
const ANNOUNCE_SQL = (endpoint: string) => `(
  SELECT w.next_attempt_at FROM deliveries w WHERE w.endpoint_id = ${endpoint} AND ${waitingSql('w')} AND w.next_attempt_at <= now()
  ORDER BY w.next_attempt_at DESC LIMIT 1) IS NULL`;

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
  /** The deliveries' ordering key: over the written message `m` (column `id`) when several are written at once. */
  orderingKey: string;
  /** The deliveries' creation (and first attempt) time, when it is not `createdAt` (which sees the gate's rows, not `m`). */
  deliveryCreatedAt?: string;
  /**
   * What the message is written FROM (a CTE, or a FROM list): no row there, no message (the invoice the message
   * announces was not issued); several rows, several messages (a batch's invoices), all of `type`.
   */
  gate?: string;
}

/**
 * The outbox write as SQL to embed: `ctes` (to follow the statement's other CTEs) write the message (ignored if
 * already recorded: the unique index on messages makes replays harmless) and one pending delivery per endpoint of
 * the scope subscribed to its type (disabled ones included: their deliveries wait, and flow in order once the endpoint
 * is enabled again, instead of being lost for the outage); `announce` is a SELECT of the
 * new deliveries (`delivery_id`, `announced`) that NOTIFYs their endpoints on DELIVERY_DUE_CHANNEL (see
 * ANNOUNCE_SQL) as it is read, so the statement must read it. The one writer of a message with its deliveries
 * (their INSERT is DeliveryRepository's pendingDeliveriesInsertSql): a repository that writes something the message
 * reports in the same statement (the paid invoice) embeds it, and every delivery wakes the dispatcher the same way,
 * at commit.
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
         -- Written by the deliveries' owner (DeliveryRepository).
         ${pendingDeliveriesInsertSql({ addressed: 'addressed', message: 'message', partnerId: p.partnerId, orderingKey: p.orderingKey, createdAt: p.deliveryCreatedAt ?? p.createdAt })}
       )`;
  const announce = `SELECT i.id AS delivery_id, CASE WHEN a.announce THEN pg_notify('${DELIVERY_DUE_CHANNEL}', i.endpoint_id) END AS announced
       FROM inserted i JOIN addressed a ON a.endpoint_id = i.endpoint_id`;
  return { ctes, announce };
}

const RECORD_MESSAGE_SQL = outboxWriteSql({ id: '$1', partnerId: '$2', environment: '$3', type: '$4', orderId: '$5', body: '$6', createdAt: '$7::timestamptz', orderingKey: '$8' });
/**
 * Named (prepared): PostgreSQL plans this ~1.4 KB statement of three CTEs once per connection. Unnamed, its planning
 * (0.8 ms at load, against 0.6 ms to run it; EXPLAIN on a bench database, 2026-12-05) was most of the outbox's cost per
 * message wherever messages are written one at a time (refunds, failed payments, subscriptions, the bench's producers).
 */
const RECORD_MESSAGE: NamedStatement = { name: 'outbox_record_message', text: `WITH ${RECORD_MESSAGE_SQL.ctes} ${RECORD_MESSAGE_SQL.announce}` };

/** The outbox's rows (messages and their deliveries), written inside the caller's transaction. Every method takes the tenant. */
@Injectable()
export class OutboxRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deliveries: DeliveryRepository,
  ) {}

  /**
   * The whole outbox write in ONE statement (one round trip inside the caller's transaction): the message (ignored
   * if already recorded: the unique index on messages makes replays harmless), one pending delivery per endpoint
   * of the scope subscribed to its type (disabled ones included, see outboxWriteSql), and the endpoints
   * announced on DELIVERY_DUE_CHANNEL (see ANNOUNCE_SQL). Returns the new deliveries' ids, none on a replay.
   */
  async recordMessage(tx: Tx, scope: TenantScope, message: OutboxMessage, orderingKey: string | null): Promise<string[]> {
    const { rows } = await queryNamed<{ delivery_id: string }>(tx, RECORD_MESSAGE, [
      message.id,
      scope.partnerId,
      scope.environment,
      message.type,
      message.orderId,
      message.body,
      message.createdAt,
      orderingKey,
    ]);
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

  /** A ping is recorded like any message, with one delivery that the engine never picks up (no next attempt). */
  async insertPing(scope: TenantScope, message: Omit<Message, 'partnerId' | 'environment'>, endpointId: string): Promise<string> {
    return this.db.transaction(async (tx) => {
      await tx.insert(Message, { ...message, partnerId: scope.partnerId, environment: scope.environment });
      return this.deliveries.insertPing(asTx(tx), scope, message.id, endpointId);
    });
  }
}
