import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { Customer, Locale, newId, Partner, Subscription, SubscriptionInterval, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { StripeClient } from '@app/stripe';
import { stripeLineItemsFor } from './checkout-lines';
import { LineInput, priceBasket, stripeMetadata } from './order-draft';
import { stripeCall } from './stripe-call';
import { SubscriptionRepository } from './subscription.repository';

export interface RecurringLineInput extends LineInput {
  recurring: { interval: SubscriptionInterval };
}

export interface SubscriptionCheckoutInput {
  line_items: RecurringLineInput[];
  currency: string;
  locale: Locale;
  partner_order_ref?: string | null;
}

/**
 * Subscription-mode Checkout. The basket is priced here like any other; each line becomes a recurring Stripe Price,
 * created once per partner and reused. Our subscription row exists (as `incomplete`) before the customer pays, and its
 * id rides on the Stripe subscription's metadata, so every later event finds it.
 */
@Injectable()
export class SubscriptionCheckoutService {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly stripe: StripeClient,
  ) {}

  async create(
    scope: TenantScope,
    partner: Partner,
    customer: Customer,
    input: SubscriptionCheckoutInput,
    page: Partial<Stripe.Checkout.SessionCreateParams>,
    key: Stripe.RequestOptions | undefined,
  ): Promise<{ subscription_id: string; checkout_session_id: string; session: Stripe.Checkout.Session }> {
    const intervals = new Set(input.line_items.map((l) => l.recurring.interval));
    if (intervals.size > 1) {
      throw AppError.validation([{ field: 'line_items', message: 'every line of a subscription must recur on the same interval' }]);
    }
    const interval = input.line_items[0].recurring.interval;
    const basket = priceBasket(partner, input.line_items);
    const subscriptionId = newId('sub');
    const metadata = stripeMetadata(scope, { subscription_id: subscriptionId, customer_id: customer.id });
    const items = stripeLineItemsFor(basket.lines, input.currency, basket.pricesIncludeTax);
    const lineItems: Stripe.Checkout.SessionCreateParams.LineItem[] = [];
    for (const item of items) lineItems.push({ price: await this.recurringPrice(scope, item.price_data!, interval), quantity: item.quantity });
    const session = await stripeCall('checkout session', () =>
      this.stripe.for(scope.environment).checkout.sessions.create(
        {
          mode: 'subscription',
          customer: customer.stripeCustomerId,
          line_items: lineItems,
          metadata,
          subscription_data: { metadata },
          client_reference_id: input.partner_order_ref ?? undefined,
          locale: input.locale,
          ...page,
        },
        key,
      ),
    );
    // A replayed Idempotency-Key returns the first session: its metadata names the first subscription.
    const id = session.metadata?.subscription_id ?? subscriptionId;
    await this.subscriptions.insertIfAbsent(scope, {
      id,
      customerId: customer.id,
      checkoutSessionId: session.id,
      status: 'incomplete',
      partnerRef: input.partner_order_ref ?? null,
      currency: input.currency,
      lineItems: basket.lines,
      amountTotal: basket.amountTotal,
      pricesIncludeTax: basket.pricesIncludeTax,
      interval,
      locale: input.locale,
    });
    return { subscription_id: id, checkout_session_id: session.id, session };
  }

  /**
   * One Stripe Price per partner for a given product line, amount, currency and interval. Concurrent creators get the
   * same Price: Stripe replays the create for the same idempotency key, and the row insert ignores the second.
   */
  private async recurringPrice(scope: TenantScope, data: Stripe.Checkout.SessionCreateParams.LineItem.PriceData, interval: SubscriptionInterval): Promise<string> {
    const name = data.product_data?.name ?? 'Abonnement';
    const lookupKey = createHash('sha256')
      .update(JSON.stringify([name, data.unit_amount, data.currency, interval, data.product_data?.metadata ?? {}]))
      .digest('hex')
      .slice(0, 40);
    const known = await this.subscriptions.stripePrice(scope, lookupKey);
    if (known) return known;
    const price = await stripeCall('price', () =>
      this.stripe.for(scope.environment).prices.create(
        {
          currency: data.currency,
          unit_amount: data.unit_amount,
          recurring: { interval },
          product_data: { name, metadata: { partner_id: scope.partnerId, ...(data.product_data?.metadata ?? {}) } },
          metadata: { partner_id: scope.partnerId },
        },
        { idempotencyKey: `price-${scope.partnerId}-${scope.environment}-${lookupKey}` },
      ),
    );
    await this.subscriptions.rememberStripePrice(scope, lookupKey, price.id);
    return price.id;
  }
}
