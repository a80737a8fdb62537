import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { cursorPage, Environment, Invoice, managerOf, NamedStatement, Order, OrderStatus, Page, PageRequest, queryNamed, TenantScope, Tx } from '@app/database';
import { AppError } from '@app/errors';

export interface OrderFilters {
  status?: OrderStatus;
  partner_order_ref?: string;
  customer_email?: string;
  created_after?: Date;
  created_before?: Date;
}

export interface InvoiceFilters {
  order_id?: string;
  issued_after?: Date;
  issued_before?: Date;
}

/** The ids an order may be named by (a Stripe event's, a replayed request's), tried in this order. */
export interface OrderEventKeys {
  id?: string;
  checkoutSessionId?: string;
  paymentIntentId?: string;
  stripeInvoiceId?: string;
  idempotencyKey?: string;
}

/** A new order's columns; partner and environment come from the scope, never from the caller. */
export type OrderValues = Partial<Omit<Order, 'partnerId' | 'environment'>>;

/**
 * The orders table's columns under the entity's property names, so a raw row reads as an `Order` (bigints as
 * numbers, as the entity's transformer gives them; timestamps and jsonb as pg parses them).
 */
const ORDER_ROW = `o.id, o.partner_id AS "partnerId", o.environment, o.status, o.partner_order_ref AS "partnerOrderRef", o.currency,
  o.amount_total::float8 AS "amountTotal", o.line_items AS "lineItems", o.customer_id AS "customerId", o.customer_email AS "customerEmail",
  o.customer_name AS "customerName", o.stripe_customer_id AS "stripeCustomerId", o.locale, o.checkout_session_id AS "checkoutSessionId",
  o.payment_intent_id AS "paymentIntentId", o.payment_method_type AS "paymentMethodType", o.failure_reason AS "failureReason",
  o.paid_event_id AS "paidEventId", o.paid_at AS "paidAt", o.amount_refunded::float8 AS "amountRefunded",
  o.prices_include_tax AS "pricesIncludeTax", o.buyer, o.source, o.decline_code AS "declineCode", o.next_action AS "nextAction",
  o.idempotency_key AS "idempotencyKey", o.subscription_id AS "subscriptionId", o.stripe_invoice_id AS "stripeInvoiceId",
  o.period_start AS "periodStart", o.period_end AS "periodEnd", o.created_at AS "createdAt", o.updated_at AS "updatedAt"`;

/**
 * The orders named by a set of (partner, environment, key column, value) rows ($1–$4): one index lookup per key
 * (primary key, the session's unique index, the PaymentIntent's), never a scan, and a fixed text so PostgreSQL
 * can keep its plan. Each lookup sits in a LATERAL subquery kept apart by OFFSET 0, so the scope is checked on
 * the one row found: joined flat, a planner without statistics on orders (a fresh table, autovacuum behind)
 * picked orders_partner (partner, environment) and filtered every order of the partner by id, ~1,350 buffers
 * and ~0.8 ms per key at 1,800 orders, growing with the partner's orders (bench:e2e, 2026-12-04).
 */
const ORDERS_BY_KEYS = `WITH k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(partner_id, environment, key, value)),
  named AS (
    SELECT b.id FROM k CROSS JOIN LATERAL (SELECT id, partner_id, environment FROM orders WHERE id = k.value OFFSET 0) b
      WHERE k.key = 'id' AND b.partner_id = k.partner_id AND b.environment = k.environment
    UNION ALL
    SELECT b.id FROM k CROSS JOIN LATERAL (SELECT id, partner_id, environment FROM orders WHERE checkout_session_id = k.value OFFSET 0) b
      WHERE k.key = 'checkoutSessionId' AND b.partner_id = k.partner_id AND b.environment = k.environment
    UNION ALL
    SELECT b.id FROM k CROSS JOIN LATERAL (SELECT id, partner_id, environment FROM orders WHERE payment_intent_id = k.value OFFSET 0) b
      WHERE k.key = 'paymentIntentId' AND b.partner_id = k.partner_id AND b.environment = k.environment)
  SELECT ${ORDER_ROW} FROM (SELECT DISTINCT id FROM named) n JOIN orders o ON o.id = n.id`;

/** The batch's order lock, named: it runs for every batch, and planning it each time was ~0.65 ms of PostgreSQL CPU. */
const LOCK_ORDERS_BY_KEYS: NamedStatement = { name: 'lock_orders_by_keys', text: ORDERS_BY_KEYS + ' ORDER BY o.id FOR UPDATE OF o' };

const LOOKUP_KEYS = ['id', 'checkoutSessionId', 'paymentIntentId'] as const;

/** The lookups as the four arrays of ORDERS_BY_KEYS. */
function keyRows(lookups: { scope: TenantScope; keys: OrderEventKeys }[]): [string[], string[], string[], string[]] {
  const rows: [string[], string[], string[], string[]] = [[], [], [], []];
  for (const { scope, keys } of lookups) {
    for (const k of LOOKUP_KEYS) {
      const value = keys[k];
      if (!value) continue;
      rows[0].push(scope.partnerId);
      rows[1].push(scope.environment);
      rows[2].push(k);
      rows[3].push(value);
    }
  }
  return rows;
}

/**
 * What a Stripe event changes on an order, for every order of the batch in one UPDATE (see saveApplied). Keyed by
 * id AND scope: an order of another tenant is never written, and is missing from the rows returned. The ids again
 * as an array ($2) give the planner a primary-key lookup it cannot miss: joined on the recordset alone (estimated
 * at 100 rows) it hashed a sequential scan of every order, ~14 ms per batch at 1,800 orders and growing.
 */
const SAVE_APPLIED = `UPDATE orders o SET status = c.status, payment_intent_id = c.payment_intent_id, customer_email = c.customer_email,
    customer_name = c.customer_name, buyer = c.buyer, payment_method_type = c.payment_method_type, failure_reason = c.failure_reason,
    decline_code = c.decline_code, next_action = c.next_action, paid_event_id = c.paid_event_id, paid_at = c.paid_at, updated_at = now()
  FROM jsonb_to_recordset($1::jsonb) AS c(id text, partner_id text, environment text, status text, payment_intent_id text, customer_email text,
    customer_name text, buyer jsonb, payment_method_type text, failure_reason text, decline_code text, next_action text, paid_event_id text,
    paid_at timestamptz)
  WHERE o.id = ANY ($2::text[]) AND o.id = c.id AND o.partner_id = c.partner_id AND o.environment = c.environment`;

/** Orders and their invoices. Every method takes the tenant; an id from another partner or environment is a 404. */
@Injectable()
export class OrderRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The caller's transaction, else a pooled connection of its own. */
  private em(tx?: Tx | null): EntityManager {
    return tx ? managerOf(tx) : this.db.manager;
  }

  async getOrder(scope: TenantScope, id: string): Promise<{ order: Order; invoice: Invoice | null }> {
    const order = await this.db.getRepository(Order).findOneBy({ id, partnerId: scope.partnerId, environment: scope.environment });
    if (!order) throw AppError.notFound('order', id);
    const invoice = await this.db.getRepository(Invoice).findOneBy({ orderId: order.id });
    return { order, invoice };
  }

  async listOrders(scope: TenantScope, filters: OrderFilters, page: PageRequest): Promise<Page<{ order: Order; invoice: Invoice | null }>> {
    const qb = this.db.getRepository(Order).createQueryBuilder('o').where('o.partner_id = :partnerId AND o.environment = :environment', scope);
    if (filters.status) qb.andWhere('o.status = :status', { status: filters.status });
    if (filters.partner_order_ref) qb.andWhere('o.partner_order_ref = :ref', { ref: filters.partner_order_ref });
    if (filters.customer_email) qb.andWhere('lower(o.customer_email) = lower(:email)', { email: filters.customer_email });
    if (filters.created_after) qb.andWhere('o.created_at > :after', { after: filters.created_after });
    if (filters.created_before) qb.andWhere('o.created_at < :before', { before: filters.created_before });
    const orders = await cursorPage(qb, 'o', page);
    const invoices = orders.data.length
      ? await this.db.getRepository(Invoice).find({ where: orders.data.map((o) => ({ orderId: o.id })) })
      : [];
    const byOrder = new Map(invoices.map((i) => [i.orderId, i]));
    return { ...orders, data: orders.data.map((order) => ({ id: order.id, order, invoice: byOrder.get(order.id) ?? null })) };
  }

  /** The order named by the first of these ids that matches within the scope (a Stripe event's: the routed scope). */
  async findByKeys(tx: Tx | null, scope: TenantScope, keys: OrderEventKeys, lock: boolean): Promise<Order | null> {
    const where = [
      keys.id ? { id: keys.id } : null,
      keys.checkoutSessionId ? { checkoutSessionId: keys.checkoutSessionId } : null,
      keys.paymentIntentId ? { paymentIntentId: keys.paymentIntentId } : null,
      keys.stripeInvoiceId ? { stripeInvoiceId: keys.stripeInvoiceId } : null,
      keys.idempotencyKey ? { idempotencyKey: keys.idempotencyKey } : null,
    ].filter((w): w is NonNullable<typeof w> => w !== null);
    for (const w of where) {
      const order = await this.em(tx).getRepository(Order).findOne({
        where: { ...w, partnerId: scope.partnerId, environment: scope.environment },
        ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
      });
      if (order) return order;
    }
    return null;
  }

  /**
   * Locks, in one statement and in id order, every order of the scope named by these keys (a batch of Stripe
   * events'): one round trip instead of one to three per event, and two batches lock in the same order. Raw rows
   * shaped like the entity (ORDER_ROW), not TypeORM's hydration: this runs for every event the worker applies.
   */
  async lockAllByKeys(tx: Tx, lookups: { scope: TenantScope; keys: OrderEventKeys }[]): Promise<Order[]> {
    const keys = keyRows(lookups);
    if (keys[0].length === 0) return [];
    return (await queryNamed<Order>(tx, LOCK_ORDERS_BY_KEYS, keys)).rows;
  }

  /**
   * The same orders, unlocked and read outside any transaction: what a batch's Stripe calls are decided on (a
   * session whose order is missing has its lines fetched), in one read instead of one to three per event.
   */
  async findAllByKeys(lookups: { scope: TenantScope; keys: OrderEventKeys }[]): Promise<Order[]> {
    const keys = keyRows(lookups);
    if (keys[0].length === 0) return [];
    return this.db.query(ORDERS_BY_KEYS, keys);
  }

  /**
   * Inserts an order unless its id or Checkout Session already has one (then nothing happens: a session another
   * partner holds stays theirs, and `findByKeys` within this scope will not return it).
   */
  async insertIfAbsent<V extends OrderValues>(tx: Tx | null, scope: TenantScope, values: V): Promise<V> {
    await this.em(tx).createQueryBuilder().insert().into(Order).values({ ...values, partnerId: scope.partnerId, environment: scope.environment }).orIgnore().execute();
    return values;
  }

  /** A Payment Element order by its PaymentIntent; `tx` with `lock` holds it until the transaction ends. */
  byPaymentIntent(scope: TenantScope, paymentIntentId: string, tx?: Tx, lock = false): Promise<Order | null> {
    return this.em(tx).getRepository(Order).findOne({
      where: { paymentIntentId, partnerId: scope.partnerId, environment: scope.environment, source: 'payment_element' },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  /** A pending Payment Element order's new basket: its lines, their total and how their prices read. */
  async updateBasket(tx: Tx, scope: TenantScope, order: Pick<Order, 'id' | 'lineItems' | 'amountTotal' | 'pricesIncludeTax'>): Promise<void> {
    await this.em(tx).getRepository(Order).update(
      { id: order.id, partnerId: scope.partnerId, environment: scope.environment },
      { lineItems: order.lineItems, amountTotal: order.amountTotal, pricesIncludeTax: order.pricesIncludeTax },
    );
  }

  /**
   * The order a refund event is about, locked until `tx` ends: by its PaymentIntent, or by our order id when the
   * charge carries it (before its payment is processed the order does not know its PaymentIntent yet). The lock
   * serialises every event about this order, so two events for one refund cannot both credit it.
   */
  lockForRefund(tx: Tx, scope: TenantScope, paymentIntentId: string, orderId: string | undefined): Promise<Order | null> {
    const where = [{ paymentIntentId }, ...(orderId ? [{ id: orderId }] : [])].map((w) => ({ ...w, partnerId: scope.partnerId, environment: scope.environment }));
    return this.em(tx).getRepository(Order).findOne({ where, lock: { mode: 'pessimistic_write' } });
  }

  /** The invoice of an order of this scope, read inside `tx` (a credit note needs the invoice it corrects). */
  invoiceOfOrder(tx: Tx, scope: TenantScope, orderId: string): Promise<Invoice | null> {
    return this.em(tx).getRepository(Invoice).findOneBy({ orderId, partnerId: scope.partnerId, environment: scope.environment });
  }

  /**
   * The events' changes to orders loaded (and locked) under their scope in this transaction, in ONE statement
   * however many orders: only the columns a Stripe event changes (SAVE_APPLIED), from one jsonb array.
   */
  async saveApplied(tx: Tx, changes: { scope: TenantScope; order: Order }[]): Promise<void> {
    if (changes.length === 0) return;
    for (const { scope, order } of changes) {
      if (order.partnerId !== scope.partnerId || order.environment !== scope.environment) throw new Error(`Order ${order.id} is not of the scope it is saved under`);
    }
    // An order two events of the batch changed is written once, as the last one left it.
    const latest = new Map(changes.map(({ order }) => [order.id, order]));
    const rows = [...latest.values()].map((order) => ({
      id: order.id,
      partner_id: order.partnerId,
      environment: order.environment,
      status: order.status,
      payment_intent_id: order.paymentIntentId,
      customer_email: order.customerEmail,
      customer_name: order.customerName,
      buyer: order.buyer,
      payment_method_type: order.paymentMethodType,
      failure_reason: order.failureReason,
      decline_code: order.declineCode,
      next_action: order.nextAction,
      paid_event_id: order.paidEventId,
      paid_at: order.paidAt,
    }));
    // TypeORM answers an UPDATE with [rows, affected].
    const [, updated]: [unknown[], number] = await managerOf(tx).query(SAVE_APPLIED, [JSON.stringify(rows), [...latest.keys()]]);
    // TypeORM's save would have inserted a missing row; these orders were all read under their lock.
    if (updated !== rows.length) throw new Error(`Saved ${updated} of ${rows.length} orders: some are not of their scope`);
  }

  /** Records what has been refunded so far, and the status that follows from it. */
  async recordRefunded(tx: Tx, scope: TenantScope, order: Pick<Order, 'id' | 'amountRefunded' | 'status'>): Promise<void> {
    await this.em(tx).getRepository(Order).update(
      { id: order.id, partnerId: scope.partnerId, environment: scope.environment },
      { amountRefunded: order.amountRefunded, status: order.status },
    );
  }

  /** Links the order to the PaymentIntent that pays it, unless one is linked already. */
  async linkPaymentIntent(scope: TenantScope, orderId: string, paymentIntentId: string): Promise<void> {
    await this.db.query(`UPDATE orders SET payment_intent_id = $2 WHERE id = $1 AND partner_id = $3 AND environment = $4 AND payment_intent_id IS NULL`, [
      orderId,
      paymentIntentId,
      scope.partnerId,
      scope.environment,
    ]);
  }

  /** Drops a draft a replayed request turned out not to need (its first call's order stands). */
  async deletePendingDraft(scope: TenantScope, orderId: string): Promise<void> {
    await this.db.query(`DELETE FROM orders WHERE id = $1 AND partner_id = $2 AND environment = $3 AND status = 'pending'`, [orderId, scope.partnerId, scope.environment]);
  }

  /**
   * @crossTenant Stripe event routing: a refund carries none of our metadata, so the order of its payment says whose
   * it is. Only the partner id leaves this method, and only to build the event's scope.
   */
  async partnerOfPaymentIntent(environment: Environment, paymentIntentId: string): Promise<string | null> {
    const order = await this.db.getRepository(Order).findOne({ where: { paymentIntentId, environment }, select: { id: true, partnerId: true } });
    return order?.partnerId ?? null;
  }

  async getInvoice(scope: TenantScope, id: string): Promise<Invoice> {
    const invoice = await this.db.getRepository(Invoice).findOneBy({ id, partnerId: scope.partnerId, environment: scope.environment });
    if (!invoice) throw AppError.notFound('invoice', id);
    return invoice;
  }

  listInvoices(scope: TenantScope, filters: InvoiceFilters, page: PageRequest): Promise<Page<Invoice>> {
    const qb = this.db.getRepository(Invoice).createQueryBuilder('i').where('i.partner_id = :partnerId AND i.environment = :environment', scope);
    if (filters.order_id) qb.andWhere('i.order_id = :orderId', { orderId: filters.order_id });
    if (filters.issued_after) qb.andWhere('i.issued_at > :after', { after: filters.issued_after });
    if (filters.issued_before) qb.andWhere('i.issued_at < :before', { before: filters.issued_before });
    return cursorPage(qb, 'i', page, { column: 'issued_at', of: (i) => i.issuedAt });
  }
}
