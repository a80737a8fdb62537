import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { cursorPage, managerOf, Page, PageRequest, Subscription, TenantScope, Tx } from '@app/database';

export interface SubscriptionFilters {
  customer_id?: string;
  status?: string;
}

/** A new subscription's columns; partner and environment come from the scope. */
export type SubscriptionValues = Partial<Omit<Subscription, 'partnerId' | 'environment'>>;

/** Subscriptions and the Stripe Prices made for them. Every method takes the tenant. */
@Injectable()
export class SubscriptionRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  get(scope: TenantScope, id: string): Promise<Subscription | null> {
    return this.db.getRepository(Subscription).findOneBy({ id, partnerId: scope.partnerId, environment: scope.environment });
  }

  list(scope: TenantScope, filters: SubscriptionFilters, page: PageRequest): Promise<Page<Subscription>> {
    const qb = this.db.getRepository(Subscription).createQueryBuilder('s').where('s.partner_id = :partnerId AND s.environment = :environment', scope);
    if (filters.customer_id) qb.andWhere('s.customer_id = :customerId', { customerId: filters.customer_id });
    if (filters.status) qb.andWhere('s.status = :status', { status: filters.status });
    return cursorPage(qb, 's', page);
  }

  /** A replayed checkout names the same subscription id: the second insert does nothing. */
  async insertIfAbsent(scope: TenantScope, values: SubscriptionValues): Promise<void> {
    await this.db.createQueryBuilder().insert().into(Subscription).values({ ...values, partnerId: scope.partnerId, environment: scope.environment }).orIgnore().execute();
  }

  /** The subscription a Stripe event is about, by our id or Stripe's, locked for the event's transaction. */
  async forEvent(tx: Tx, scope: TenantScope, id: string | undefined, stripeSubscriptionId: string | null): Promise<Subscription | null> {
    const repo = managerOf(tx).getRepository(Subscription);
    const lock = { mode: 'pessimistic_write' as const };
    const tenant = { partnerId: scope.partnerId, environment: scope.environment };
    return (
      (id ? await repo.findOne({ where: { id, ...tenant }, lock }) : null) ??
      (stripeSubscriptionId ? await repo.findOne({ where: { stripeSubscriptionId, ...tenant }, lock }) : null)
    );
  }

  /** The event's changes to a subscription loaded (and locked) under `scope` in this transaction. */
  async saveApplied(tx: Tx, scope: TenantScope, subscription: Subscription): Promise<void> {
    if (subscription.partnerId !== scope.partnerId || subscription.environment !== scope.environment) throw new Error(`Subscription ${subscription.id} is not of the scope it is saved under`);
    await managerOf(tx).save(subscription);
  }

  async linkStripeSubscription(tx: Tx, scope: TenantScope, id: string, stripeSubscriptionId: string): Promise<void> {
    await managerOf(tx).update(Subscription, { id, partnerId: scope.partnerId, environment: scope.environment }, { stripeSubscriptionId });
  }

  async stripePrice(scope: TenantScope, lookupKey: string): Promise<string | null> {
    const [known] = await this.db.query(`SELECT stripe_price_id FROM stripe_prices WHERE partner_id = $1 AND environment = $2 AND lookup_key = $3`, [
      scope.partnerId,
      scope.environment,
      lookupKey,
    ]);
    return known?.stripe_price_id ?? null;
  }

  /** Concurrent creators got the same Price from Stripe (same idempotency key): the second insert does nothing. */
  async rememberStripePrice(scope: TenantScope, lookupKey: string, stripePriceId: string): Promise<void> {
    await this.db.query(`INSERT INTO stripe_prices (partner_id, environment, lookup_key, stripe_price_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
      scope.partnerId,
      scope.environment,
      lookupKey,
      stripePriceId,
    ]);
  }
}
