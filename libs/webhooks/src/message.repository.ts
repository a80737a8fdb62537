import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Attempt, cursorPage, Delivery, Endpoint, Message, Page, PageRequest, TenantScope } from '@app/database';
import { AppError } from '@app/errors';

export interface MessageFilters {
  type?: string;
  order_id?: string;
  created_after?: Date;
  created_before?: Date;
}

/** What the partner can read of its messages and of each attempt to deliver them. Every query carries the tenant. */
@Injectable()
export class MessageRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  list(scope: TenantScope, filters: MessageFilters, page: PageRequest): Promise<Page<Message>> {
    const qb = this.db
      .getRepository(Message)
      .createQueryBuilder('m')
      .where('m.partner_id = :partnerId AND m.environment = :environment', scope);
    if (filters.type) qb.andWhere('m.type = :type', { type: filters.type });
    if (filters.order_id) qb.andWhere('m.order_id = :orderId', { orderId: filters.order_id });
    if (filters.created_after) qb.andWhere('m.created_at > :after', { after: filters.created_after });
    if (filters.created_before) qb.andWhere('m.created_at < :before', { before: filters.created_before });
    return cursorPage(qb, 'm', page);
  }

  async get(scope: TenantScope, id: string): Promise<Message> {
    const message = await this.db.getRepository(Message).findOneBy({ id, partnerId: scope.partnerId, environment: scope.environment });
    if (!message) throw AppError.notFound('message', id);
    return message;
  }

  async deliveriesOf(scope: TenantScope, messageId: string): Promise<Delivery[]> {
    const message = await this.get(scope, messageId);
    return this.db.getRepository(Delivery).find({ where: { messageId: message.id }, order: { createdAt: 'ASC' } });
  }

  async attemptsOfMessage(scope: TenantScope, messageId: string): Promise<Attempt[]> {
    const message = await this.get(scope, messageId);
    return this.db.getRepository(Attempt).find({ where: { messageId: message.id }, order: { attemptedAt: 'ASC' } });
  }

  /** Newest first; deleted endpoints keep their history readable. */
  async attemptsOfEndpoint(scope: TenantScope, endpointId: string, limit: number): Promise<Attempt[]> {
    const endpoint = await this.db.getRepository(Endpoint).findOneBy({ id: endpointId, partnerId: scope.partnerId, environment: scope.environment });
    if (!endpoint) throw AppError.notFound('endpoint', endpointId);
    return this.db.getRepository(Attempt).find({ where: { endpointId }, order: { attemptedAt: 'DESC' }, take: limit });
  }
}
