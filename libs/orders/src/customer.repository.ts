import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { cursorPage, Customer, Environment, managerOf, Page, PageRequest, TenantScope, Tx } from '@app/database';

export interface CustomerFilters {
  external_id?: string;
  email?: string;
}

/** A new customer's columns; partner and environment come from the scope, never from the caller. */
export type CustomerValues = Partial<Omit<Customer, 'partnerId' | 'environment'>>;

/** The partners' customers (the people who pay them), as we mirror them in Stripe. Every method takes the tenant. */
@Injectable()
export class CustomerRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The caller's transaction, else a pooled connection of its own. */
  private em(tx?: Tx | null): EntityManager {
    return tx ? managerOf(tx) : this.db.manager;
  }

  get(scope: TenantScope, id: string, tx?: Tx): Promise<Customer | null> {
    return this.em(tx).getRepository(Customer).findOneBy({ id, partnerId: scope.partnerId, environment: scope.environment });
  }

  byIds(scope: TenantScope, ids: string[]): Promise<Customer[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.getRepository(Customer).find({ where: ids.map((id) => ({ id, partnerId: scope.partnerId, environment: scope.environment })) });
  }

  list(scope: TenantScope, filters: CustomerFilters, page: PageRequest): Promise<Page<Customer>> {
    const qb = this.db.getRepository(Customer).createQueryBuilder('c').where('c.partner_id = :partnerId AND c.environment = :environment', scope);
    if (filters.external_id) qb.andWhere('c.external_id = :externalId', { externalId: filters.external_id });
    if (filters.email) qb.andWhere('lower(c.email) = lower(:email)', { email: filters.email });
    return cursorPage(qb, 'c', page);
  }

  /** The customer a partner names by `external_id` or email (the lookup key). */
  byLookupKey(scope: TenantScope, lookupKey: string): Promise<Customer | null> {
    return this.db.getRepository(Customer).findOneBy({ partnerId: scope.partnerId, environment: scope.environment, lookupKey });
  }

  /** True when this call created it; a concurrent creator with the same lookup key wins silently. */
  async insertIfAbsent(scope: TenantScope, values: CustomerValues): Promise<boolean> {
    const inserted = await this.db
      .getRepository(Customer)
      .createQueryBuilder()
      .insert()
      .values({ ...values, partnerId: scope.partnerId, environment: scope.environment })
      .orIgnore()
      .returning(['id'])
      .execute();
    return inserted.raw.length > 0;
  }

  async update(scope: TenantScope, id: string, changes: CustomerValues): Promise<void> {
    await this.db.getRepository(Customer).update({ id, partnerId: scope.partnerId, environment: scope.environment }, changes);
  }

  /** The customer Stripe knows by this id, locked for the event's transaction. */
  byStripeCustomerForUpdate(tx: Tx, scope: TenantScope, stripeCustomerId: string): Promise<Customer | null> {
    return this.em(tx).getRepository(Customer).findOne({
      where: { partnerId: scope.partnerId, environment: scope.environment, stripeCustomerId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** The event's changes to a customer loaded (and locked) under `scope` in this transaction. */
  async saveApplied(tx: Tx, scope: TenantScope, customer: Customer): Promise<void> {
    if (customer.partnerId !== scope.partnerId || customer.environment !== scope.environment) throw new Error(`Customer ${customer.id} is not of the scope it is saved under`);
    await managerOf(tx).save(customer);
  }

  /**
   * Forgets a saved card, only if it is still the saved one (a later card saved meanwhile stays); without a
   * customer id, on whichever of the scope's customers holds it. True when a customer held it.
   */
  async forgetPaymentMethod(scope: TenantScope, paymentMethodId: string, customerId: string | null, tx?: Tx): Promise<boolean> {
    const rows: unknown[] = await this.em(tx).query(
      `UPDATE customers SET default_payment_method_id = NULL, payment_method = NULL, updated_at = now()
       WHERE partner_id = $1 AND environment = $2 AND default_payment_method_id = $3 AND ($4::text IS NULL OR id = $4) RETURNING id`,
      [scope.partnerId, scope.environment, paymentMethodId, customerId],
    );
    return rows.length > 0;
  }

  /**
   * @crossTenant Stripe event routing: a card, or the PaymentIntent Stripe makes for a subscription's invoice, carries
   * none of our metadata, so its Stripe customer says whose it is. Only the partner id leaves this method, and only
   * to build the event's scope.
   */
  async partnerOfStripeCustomer(environment: Environment, stripeCustomerId: string): Promise<string | null> {
    const customer = await this.db.getRepository(Customer).findOne({ where: { stripeCustomerId, environment }, select: { id: true, partnerId: true } });
    return customer?.partnerId ?? null;
  }
}
