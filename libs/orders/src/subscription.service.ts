import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { Customer, Page, PageRequest, Subscription, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { StripeClient } from '@app/stripe';
import { CustomerRepository } from './customer.repository';
import { stripeCall } from './stripe-call';
import { SubscriptionFilters, SubscriptionRepository } from './subscription.repository';
import { subscriptionView } from './subscription-view';

export type { SubscriptionFilters } from './subscription.repository';

/** The partner's side of subscriptions: read them, cancel them. Their state changes arrive through Stripe's events. */
@Injectable()
export class SubscriptionService {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly customers: CustomerRepository,
    private readonly stripe: StripeClient,
  ) {}

  async list(scope: TenantScope, filters: SubscriptionFilters, page: PageRequest): Promise<Page<ReturnType<typeof subscriptionView>>> {
    const rows = await this.subscriptions.list(scope, filters, page);
    const customers = await this.customers.byIds(scope, rows.data.map((s) => s.customerId));
    const byId = new Map(customers.map((c) => [c.id, c]));
    return { ...rows, data: rows.data.map((s) => subscriptionView(s, byId.get(s.customerId)!)) };
  }

  async get(scope: TenantScope, id: string) {
    const { subscription, customer } = await this.load(scope, id);
    return subscriptionView(subscription, customer);
  }

  /**
   * At the period's end (the customer keeps what was paid for) or now. Stripe confirms with
   * `customer.subscription.updated` / `.deleted`, which update our record and tell the partner's endpoints; the
   * answer already shows the state Stripe returned.
   */
  async cancel(scope: TenantScope, id: string, atPeriodEnd: boolean) {
    const { subscription, customer } = await this.load(scope, id);
    if (subscription.status === 'canceled') throw new AppError('subscription_canceled', `Subscription ${id} is already canceled.`);
    if (!subscription.stripeSubscriptionId) {
      throw new AppError('conflict', `Subscription ${id} has not started: its customer has not completed the checkout yet.`);
    }
    const stripe = this.stripe.for(scope.environment);
    const updated: Stripe.Subscription = await stripeCall('cancellation', () =>
      atPeriodEnd
        ? stripe.subscriptions.update(subscription.stripeSubscriptionId!, { cancel_at_period_end: true })
        : stripe.subscriptions.cancel(subscription.stripeSubscriptionId!),
    );
    const shown: Subscription = {
      ...subscription,
      status: updated.status,
      cancelAtPeriodEnd: updated.cancel_at_period_end,
      canceledAt: updated.canceled_at ? new Date(updated.canceled_at * 1000) : null,
      endedAt: updated.ended_at ? new Date(updated.ended_at * 1000) : null,
    };
    return subscriptionView(shown, customer);
  }

  private async load(scope: TenantScope, id: string): Promise<{ subscription: Subscription; customer: Customer }> {
    const subscription = await this.subscriptions.get(scope, id);
    if (!subscription) throw AppError.notFound('subscription', id);
    const customer = await this.customers.get(scope, subscription.customerId);
    if (!customer) throw new Error(`subscription ${id} has no customer ${subscription.customerId} in its scope`);
    return { subscription, customer };
  }
}
