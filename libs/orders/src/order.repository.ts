import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { cursorPage, Invoice, Order, OrderStatus, Page, PageRequest, TenantScope } from '@app/database';
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

/** Partner-facing reads. Every method takes the tenant; an id from another partner or environment is a 404. */
@Injectable()
export class OrderRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
