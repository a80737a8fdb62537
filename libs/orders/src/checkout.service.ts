import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { Locale, newId, Order, OrderBuyer, OrderLine, Partner, PostalAddress, TenantScope } from '@app/database';
import { computeInvoiceTotals } from '@app/invoicing';
import { AppError } from '@app/errors';
import { StripeClient } from '@app/stripe';
import { stripeLineItemsFor } from './checkout-lines';
import { CustomerInput, CustomerService } from './customer.service';

export interface CheckoutLineInput {
  name: string;
  quantity: number;
  unit_amount: number;
  vat_rate?: number;
}

/** Buyer details printed on the invoice (business buyers: company, VAT number, SIREN). */
export interface CheckoutBuyerInput {
  address?: PostalAddress;
  company?: { name: string; vat_number?: string; siren?: string };
}

export interface CreateCheckoutInput {
  customer: CustomerInput & CheckoutBuyerInput;
  line_items: CheckoutLineInput[];
  currency: string;
  ui_mode: 'hosted' | 'embedded';
  success_url?: string;
  return_url?: string;
  cancel_url?: string;
  partner_order_ref?: string | null;
  locale: Locale;
}

export interface CheckoutCreated {
  order_id: string;
  checkout_session_id: string;
  url?: string;
  client_secret?: string;
}

@Injectable()
export class CheckoutService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeClient,
    private readonly customers: CustomerService,
  ) {}

  /**
   * Amounts come from the lines the partner's server sent, never from the
   * browser. The Stripe session is created first and carries our order id in
   * its metadata, so even if the order insert below fails, a payment on that
   * session still becomes an order when its event arrives.
   */
  async create(scope: TenantScope, partner: Partner, input: CreateCheckoutInput, idempotencyKey?: string): Promise<CheckoutCreated> {
    const lines: OrderLine[] = input.line_items.map((l) => ({
      name: l.name,
      quantity: l.quantity,
      unit_amount: l.unit_amount,
      vat_rate: l.vat_rate ?? partner.defaultVatRate,
      amount_total: l.quantity * l.unit_amount,
    }));
    // A partner with VAT-exclusive prices: the customer pays the lines plus VAT added per rate.
    const pricesIncludeTax = partner.pricesIncludeTax ?? true;
    const totals = computeInvoiceTotals(lines, { pricesIncludeTax });
    const amountTotal = totals.including_tax;
    if (amountTotal <= 0) throw AppError.validation([{ field: 'line_items', message: 'the basket total must be greater than zero' }]);
    const customer = await this.customers.findOrCreate(scope, input.customer);
    const orderId = newId('ord');
    const metadata = { partner_id: scope.partnerId, order_id: orderId, environment: scope.environment };
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: 'payment',
      customer: customer.stripeCustomerId,
      line_items: stripeLineItemsFor(lines, input.currency, pricesIncludeTax),
      metadata,
      payment_intent_data: { metadata },
      client_reference_id: input.partner_order_ref ?? undefined,
      locale: input.locale,
      ...(input.ui_mode === 'embedded'
        ? { ui_mode: 'embedded_page' as const, return_url: input.return_url }
        : { ui_mode: 'hosted_page' as const, success_url: input.success_url, cancel_url: input.cancel_url }),
    };
    let session: Stripe.Checkout.Session;
    try {
      session = await this.stripe.for(scope.environment).checkout.sessions.create(params, idempotencyKey ? { idempotencyKey: `checkout-${scope.partnerId}-${idempotencyKey}` } : undefined);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError) {
        throw new AppError('stripe_error', `Stripe refused the checkout session: ${err.message}`);
      }
      throw err;
    }
    await this.db
      .createQueryBuilder()
      .insert()
      .into(Order)
      .values({
        id: session.metadata?.order_id ?? orderId,
        partnerId: scope.partnerId,
        environment: scope.environment,
        status: 'pending',
        partnerOrderRef: input.partner_order_ref ?? null,
        currency: input.currency,
        amountTotal,
        lineItems: lines,
        customerId: customer.id,
        customerEmail: customer.email,
        customerName: customer.name,
        stripeCustomerId: customer.stripeCustomerId,
        locale: input.locale,
        checkoutSessionId: session.id,
        pricesIncludeTax,
        buyer: buyerOf(input.customer),
      })
      // A replayed Idempotency-Key returns the same session: keep the first order.
      .orIgnore()
      .execute();
    const order = await this.db.getRepository(Order).findOneByOrFail({ checkoutSessionId: session.id });
    return {
      order_id: order.id,
      checkout_session_id: session.id,
      ...(input.ui_mode === 'embedded' ? { client_secret: session.client_secret ?? undefined } : { url: session.url ?? undefined }),
    };
  }
}

function buyerOf(customer: CheckoutBuyerInput): OrderBuyer | null {
  if (!customer.address && !customer.company) return null;
  return {
    address: customer.address ?? null,
    company_name: customer.company?.name ?? null,
    vat_number: customer.company?.vat_number ?? null,
    siren: customer.company?.siren ?? null,
  };
}
