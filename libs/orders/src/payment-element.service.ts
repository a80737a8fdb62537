import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { Locale, Order, Partner, TenantScope, UnitOfWork } from '@app/database';
import { AppError } from '@app/errors';
import { StripeClient } from '@app/stripe';
import { CustomerRef, CustomerService } from './customer.service';
import { LineInput, pendingOrderValues, priceBasket, stripeMetadata } from './order-draft';
import { OrderRepository } from './order.repository';
import { stripeCall } from './stripe-call';

export type CreatePaymentIntentInput = CustomerRef & {
  line_items: LineInput[];
  currency: string;
  description?: string;
  partner_order_ref?: string;
  locale?: Locale;
};

export interface UpdatePaymentIntentInput {
  line_items: LineInput[];
  description?: string;
}

/** Stripe statuses in which the customer has not paid yet, so the amount may still change. */
const UPDATABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action']);

/**
 * Seed 002's `POST /create-payment-intent`, done safely: the partner's server sends the basket, we compute the amount,
 * create the order and the PaymentIntent, and the browser only ever receives the `client_secret`.
 */
@Injectable()
export class PaymentElementService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly stripe: StripeClient,
    private readonly orders: OrderRepository,
    private readonly customers: CustomerService,
  ) {}

  async create(scope: TenantScope, partner: Partner, input: CreatePaymentIntentInput, idempotencyKey?: string) {
    const customer = await this.customers.resolve(scope, input);
    const basket = priceBasket(partner, input.line_items);
    // The order exists before the intent, so a payment always finds its order when Stripe's event arrives.
    const { id: orderId } = await this.orders.insertIfAbsent(null, scope, pendingOrderValues({
      source: 'payment_element',
      basket,
      currency: input.currency,
      customer,
      locale: input.locale,
      partnerOrderRef: input.partner_order_ref,
    }));
    const intent = await stripeCall('payment intent', () =>
      this.stripe.for(scope.environment).paymentIntents.create(
        {
          amount: basket.amountTotal,
          currency: input.currency,
          customer: customer.stripeCustomerId,
          automatic_payment_methods: { enabled: true },
          description: input.description,
          metadata: stripeMetadata(scope, { order_id: orderId }),
        },
        idempotencyKey ? { idempotencyKey: `pi-${scope.partnerId}-${scope.environment}-${idempotencyKey}` } : undefined,
      ),
    );
    // A replayed key returns the first call's intent, whose order already exists: this draft is then not needed.
    if (intent.metadata.order_id !== orderId) await this.orders.deletePendingDraft(scope, orderId);
    await this.orders.linkPaymentIntent(scope, intent.metadata.order_id, intent.id);
    return this.view(await this.orderOf(scope, intent.id), intent);
  }

  async get(scope: TenantScope, paymentIntentId: string) {
    const order = await this.orderOf(scope, paymentIntentId);
    const intent = await stripeCall('payment intent', () => this.stripe.for(scope.environment).paymentIntents.retrieve(paymentIntentId));
    return this.view(order, intent);
  }

  /**
   * Seed 002's "amount changed after creation": the basket changed before the customer paid. The order row stays
   * locked while Stripe updates the intent, so the order's lines and the amount Stripe will charge change together
   * or not at all; once the customer has paid, Stripe refuses and so do we.
   */
  async update(scope: TenantScope, partner: Partner, paymentIntentId: string, input: UpdatePaymentIntentInput) {
    const basket = priceBasket(partner, input.line_items);
    return this.uow.run(async (tx) => {
      const order = await this.orders.byPaymentIntent(scope, paymentIntentId, tx, true);
      if (!order) throw AppError.notFound('payment intent', paymentIntentId);
      if (order.status !== 'pending' && order.status !== 'failed') {
        throw new AppError('payment_not_updatable', `Payment ${paymentIntentId} can no longer change: its order is ${order.status}.`);
      }
      const intent = await stripeCall('payment intent', async () => {
        try {
          return await this.stripe.for(scope.environment).paymentIntents.update(paymentIntentId, {
            amount: basket.amountTotal,
            ...(input.description !== undefined ? { description: input.description } : {}),
          });
        } catch (err) {
          // Stripe's refusal once the customer has paid: ours, with the same meaning.
          if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'payment_intent_unexpected_state') {
            throw new AppError('payment_not_updatable', `Payment ${paymentIntentId} can no longer change: ${err.message}`);
          }
          throw err;
        }
      });
      if (!UPDATABLE.has(intent.status)) throw new AppError('payment_not_updatable', `Payment ${paymentIntentId} is ${intent.status}.`);
      order.lineItems = basket.lines;
      order.amountTotal = basket.amountTotal;
      order.pricesIncludeTax = basket.pricesIncludeTax;
      await this.orders.updateBasket(tx, scope, order);
      return this.view(order, intent);
    });
  }

  private async orderOf(scope: TenantScope, paymentIntentId: string): Promise<Order> {
    const order = await this.orders.byPaymentIntent(scope, paymentIntentId);
    if (!order) throw AppError.notFound('payment intent', paymentIntentId);
    return order;
  }

  private view(order: Order, intent: Stripe.PaymentIntent) {
    return {
      object: 'payment_intent' as const,
      id: intent.id,
      order_id: order.id,
      customer_id: order.customerId,
      status: intent.status,
      client_secret: intent.client_secret,
      amount_total: order.amountTotal,
      currency: order.currency,
      line_items: order.lineItems,
    };
  }
}
