import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { Customer, Locale, newId, Partner, PostalAddress, TenantScope } from '@app/database';
import { StripeClient } from '@app/stripe';
import { stripeLineItemsFor } from './checkout-lines';
import { CustomerInput, CustomerRef, CustomerService } from './customer.service';
import { LineInput, pendingOrderValues, priceBasket, stripeMetadata } from './order-draft';
import { OrderRepository } from './order.repository';
import { stripeCall } from './stripe-call';
import { SubscriptionCheckoutService, RecurringLineInput } from './subscription-checkout.service';

/** An inline customer as the checkout has always taken it: `company` is the business buyer. */
export type CheckoutCustomerInput = CustomerInput & {
  address?: PostalAddress;
  company?: { name: string; vat_number?: string; siren?: string };
};

interface CheckoutCommon {
  ui_mode: 'hosted' | 'embedded';
  success_url?: string;
  return_url?: string;
  cancel_url?: string;
  locale?: Locale;
  partner_order_ref?: string | null;
}

type CheckoutCustomer = { customer_id: string } | { customer: CheckoutCustomerInput };

export type CreateCheckoutInput = CheckoutCommon &
  CheckoutCustomer &
  (
    | { mode: 'payment'; line_items: LineInput[]; currency: string }
    | { mode: 'setup'; currency: string }
    | { mode: 'subscription'; line_items: RecurringLineInput[]; currency: string }
  );

export interface CheckoutCreated {
  mode: 'payment' | 'setup' | 'subscription';
  checkout_session_id: string;
  customer_id: string;
  order_id?: string;
  subscription_id?: string;
  url?: string;
  client_secret?: string;
}

/** Checkout Sessions: pay a basket now, save a card for later, or start a subscription. */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly stripe: StripeClient,
    private readonly orders: OrderRepository,
    private readonly customers: CustomerService,
    private readonly subscriptions: SubscriptionCheckoutService,
  ) {}

  async create(scope: TenantScope, partner: Partner, input: CreateCheckoutInput, idempotencyKey?: string): Promise<CheckoutCreated> {
    const customer = await this.customers.resolve(scope, customerRefOf(input));
    const locale = input.locale ?? customer.locale;
    const page = pageParams(input);
    const key = idempotencyKey ? { idempotencyKey: `checkout-${scope.partnerId}-${idempotencyKey}` } : undefined;
    if (input.mode === 'subscription') {
      const created = await this.subscriptions.create(scope, partner, customer, { ...input, locale }, page, key);
      return { mode: 'subscription', customer_id: customer.id, ...created, ...sessionAccess(input, created.session) };
    }
    if (input.mode === 'setup') {
      const metadata = stripeMetadata(scope, { customer_id: customer.id });
      const session = await this.createSession(scope, { mode: 'setup', currency: input.currency, customer: customer.stripeCustomerId, metadata, setup_intent_data: { metadata }, locale, ...page }, key);
      return { mode: 'setup', customer_id: customer.id, checkout_session_id: session.id, ...sessionAccess(input, session) };
    }
    return this.createPayment(scope, partner, customer, { ...input, locale }, page, key);
  }

  /**
   * The Stripe session is created first and carries our order id in its metadata, so even if the order insert
   * below fails, a payment on that session still becomes an order when its event arrives.
   */
  private async createPayment(
    scope: TenantScope,
    partner: Partner,
    customer: Customer,
    input: CheckoutCommon & { line_items: LineInput[]; currency: string; locale: Locale },
    page: Partial<Stripe.Checkout.SessionCreateParams>,
    key: Stripe.RequestOptions | undefined,
  ): Promise<CheckoutCreated> {
    const basket = priceBasket(partner, input.line_items);
    const metadata = stripeMetadata(scope, { order_id: newId('ord') });
    const session = await this.createSession(
      scope,
      {
        mode: 'payment',
        customer: customer.stripeCustomerId,
        line_items: stripeLineItemsFor(basket.lines, input.currency, basket.pricesIncludeTax),
        metadata,
        payment_intent_data: { metadata },
        client_reference_id: input.partner_order_ref ?? undefined,
        locale: input.locale,
        ...page,
      },
      key,
    );
    await this.orders.insertIfAbsent(null, scope, pendingOrderValues({
      // A replayed Idempotency-Key returns the first session, whose metadata holds the first order id.
      id: session.metadata?.order_id ?? metadata.order_id,
      source: 'checkout',
      basket,
      currency: input.currency,
      customer,
      locale: input.locale,
      partnerOrderRef: input.partner_order_ref,
      checkoutSessionId: session.id,
    }));
    const order = await this.orders.findByKeys(null, scope, { checkoutSessionId: session.id }, false);
    if (!order) throw new Error(`checkout session ${session.id} has no order in its scope`);
    return { mode: 'payment', order_id: order.id, customer_id: customer.id, checkout_session_id: session.id, ...sessionAccess(input, session) };
  }

  private createSession(scope: TenantScope, params: Stripe.Checkout.SessionCreateParams, key: Stripe.RequestOptions | undefined): Promise<Stripe.Checkout.Session> {
    return stripeCall('checkout session', () => this.stripe.for(scope.environment).checkout.sessions.create(params, key));
  }
}

function customerRefOf(input: CheckoutCustomer): CustomerRef {
  if ('customer_id' in input) return { customer_id: input.customer_id };
  const { company, ...customer } = input.customer;
  return { customer: { ...customer, ...(company ? { business: company } : {}) } };
}

/** Hosted pages redirect; embedded ones return to `return_url`. The API keeps the old names; Stripe's are `*_page`. */
function pageParams(input: CheckoutCommon): Partial<Stripe.Checkout.SessionCreateParams> {
  return input.ui_mode === 'embedded'
    ? { ui_mode: 'embedded_page' as const, return_url: input.return_url }
    : { ui_mode: 'hosted_page' as const, success_url: input.success_url, cancel_url: input.cancel_url };
}

function sessionAccess(input: CheckoutCommon, session: Stripe.Checkout.Session): { url?: string; client_secret?: string } {
  return input.ui_mode === 'embedded' ? { client_secret: session.client_secret ?? undefined } : { url: session.url ?? undefined };
}
