import { Injectable, Logger } from '@nestjs/common';
import Stripe from 'stripe';
import { newId, Order, Partner, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { StripeClient } from '@app/stripe';
import { CustomerService } from './customer.service';
import { LineInput, pendingOrderValues, priceBasket, stripeMetadata } from './order-draft';
import { OrderRepository } from './order.repository';
import { stripeCall } from './stripe-call';

export interface ChargeInput {
  line_items: LineInput[];
  currency: string;
  description?: string;
  partner_order_ref?: string;
}

export interface ChargeResult {
  object: 'charge';
  order_id: string;
  customer_id: string;
  payment_intent_id: string | null;
  /** Stripe's answer now; the order itself becomes `paid` or `failed` when Stripe's event is processed. */
  status: 'succeeded' | 'processing' | 'failed';
  amount_total: number;
  currency: string;
  failure: { reason: string; decline_code: string | null; next_action: 'customer_action_required' } | null;
}

/**
 * Seed 000's "charge if they have not decided in time": the saved card is charged off-session (the customer is not
 * there to authenticate). The order exists before the PaymentIntent and its id rides in the metadata, so Stripe's
 * events drive it through the usual pipeline whatever this request's fate.
 */
@Injectable()
export class OffSessionChargeService {
  private readonly logger = new Logger(OffSessionChargeService.name);

  constructor(
    private readonly stripe: StripeClient,
    private readonly orders: OrderRepository,
    private readonly customers: CustomerService,
  ) {}

  async charge(scope: TenantScope, partner: Partner, customerId: string, input: ChargeInput, idempotencyKey?: string): Promise<ChargeResult> {
    const customer = await this.customers.get(scope, customerId);
    if (!customer.defaultPaymentMethodId) {
      throw new AppError('payment_method_missing', `Customer ${customerId} has no saved payment method; save one with a checkout session in setup mode first.`);
    }
    const basket = priceBasket(partner, input.line_items);
    // With a key, a retry (even after a crash between our order and Stripe's intent) finds the same order and sends
    // Stripe the same key, so the card is charged once.
    const { id: draftId } = await this.orders.insertIfAbsent(null, scope, pendingOrderValues({
      id: newId('ord'),
      source: 'off_session_charge',
      basket,
      currency: input.currency,
      customer,
      partnerOrderRef: input.partner_order_ref,
      idempotencyKey: idempotencyKey ?? null,
    }));
    const order = await this.orders.findByKeys(null, scope, idempotencyKey ? { idempotencyKey } : { id: draftId }, false);
    if (!order) throw new Error(`charge order ${draftId} is not in its scope`);
    const intent = await this.confirm(scope, order, customer.stripeCustomerId, customer.defaultPaymentMethodId, input.description, idempotencyKey);
    if (intent.paymentIntent) {
      await this.orders.linkPaymentIntent(scope, order.id, intent.paymentIntent.id);
    }
    return {
      object: 'charge',
      order_id: order.id,
      customer_id: customer.id,
      payment_intent_id: intent.paymentIntent?.id ?? null,
      status: intent.failure ? 'failed' : intent.paymentIntent?.status === 'succeeded' ? 'succeeded' : 'processing',
      amount_total: order.amountTotal,
      currency: order.currency,
      failure: intent.failure,
    };
  }

  private async confirm(
    scope: TenantScope,
    order: Order,
    stripeCustomerId: string,
    paymentMethodId: string,
    description: string | undefined,
    idempotencyKey: string | undefined,
  ): Promise<{ paymentIntent: Stripe.PaymentIntent | null; failure: ChargeResult['failure'] }> {
    try {
      const paymentIntent = await stripeCall('charge', () =>
        this.stripe.for(scope.environment).paymentIntents.create(
          {
            amount: order.amountTotal,
            currency: order.currency,
            customer: stripeCustomerId,
            payment_method: paymentMethodId,
            off_session: true,
            confirm: true,
            description,
            metadata: stripeMetadata(scope, { order_id: order.id }),
          },
          { idempotencyKey: `charge-${scope.partnerId}-${scope.environment}-${idempotencyKey ?? order.id}` },
        ),
      );
      return { paymentIntent, failure: null };
    } catch (err) {
      if (!(err instanceof Stripe.errors.StripeCardError)) throw err;
      // Declined, or the bank wants the customer to authenticate: Stripe's payment_intent.payment_failed event marks
      // the order failed and tells the partner; the answer says so now too.
      const paymentIntent = (err.raw as { payment_intent?: Stripe.PaymentIntent }).payment_intent ?? null;
      this.logger.log(`Off-session charge for order ${order.id} refused: ${err.code ?? 'card_error'} (${err.decline_code ?? 'no decline code'})`);
      return {
        paymentIntent,
        failure: { reason: err.code ?? 'card_declined', decline_code: err.decline_code ?? null, next_action: 'customer_action_required' },
      };
    }
  }
}
