import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { cursorPage, Environment, Invoice, managerOf, Order, OrderStatus, Page, PageRequest, TenantScope, Tx } from '@app/database';
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
   * events'): one round trip instead of one to three per event, and two batches lock in the same order.
   */
  async lockAllByKeys(tx: Tx, lookups: { scope: TenantScope; keys: OrderEventKeys }[]): Promise<Order[]> {
    const where = lookups.flatMap(({ scope, keys }) =>
      (['id', 'checkoutSessionId', 'paymentIntentId'] as const)
        .filter((k) => keys[k])
        .map((k) => ({ [k]: keys[k], partnerId: scope.partnerId, environment: scope.environment })),
    );
    if (where.length === 0) return [];
    return managerOf(tx).getRepository(Order).find({ where, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
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

  /** Records what has been refunded so far, and the status that follows from it. */
  /** The event's changes to an order loaded (and locked) under `scope` in this transaction. */
  async saveApplied(tx: Tx, scope: TenantScope, order: Order): Promise<void> {
    if (order.partnerId !== scope.partnerId || order.environment !== scope.environment) throw new Error(`Order ${order.id} is not of the scope it is saved under`);
    await managerOf(tx).save(order);
  }

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
