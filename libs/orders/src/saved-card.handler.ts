import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { TenantScope, Tx } from '@app/database';
import { StripeClient } from '@app/stripe';
import { OutboxService } from '@app/webhooks';
import { CustomerRepository } from './customer.repository';
import { customerRef } from './customer-view';
import { EventSubject, idOf } from './stripe-event-fields';

/** The card a completed setup saved, fetched from Stripe before the transaction. */
export interface SavedCardPrefetch {
  setupIntent: Stripe.SetupIntent;
  paymentMethod: Stripe.PaymentMethod;
}

/**
 * Seed 000's "save the card now, charge it later" and seed 003's `me/payment`: a setup-mode Checkout completes,
 * the card becomes the customer's default for later charges, and the partner hears `customer.payment_method_saved`
 * once (Stripe reports the same setup twice: `setup_intent.succeeded` and `checkout.session.completed`).
 */
@Injectable()
export class SavedCardHandler {
  private readonly logger = new Logger(SavedCardHandler.name);

  constructor(
    private readonly stripe: StripeClient,
    private readonly outbox: OutboxService,
    private readonly customers: CustomerRepository,
  ) {}

  handles(event: Stripe.Event, subject: EventSubject): boolean {
    return (
      event.type === 'setup_intent.succeeded' ||
      event.type === 'payment_method.detached' ||
      (event.type === 'checkout.session.completed' && subject.checkoutSession?.mode === 'setup')
    );
  }

  /** Network work, outside the transaction: the SetupIntent and card details, and Stripe's own default card. */
  async prefetch(scope: TenantScope, event: Stripe.Event, subject: EventSubject): Promise<SavedCardPrefetch | null> {
    if (event.type === 'payment_method.detached') return null;
    const stripe = this.stripe.for(scope.environment);
    const setupIntentId = subject.setupIntent?.id ?? idOf(subject.checkoutSession?.setup_intent);
    if (!setupIntentId) return null;
    const setupIntent = subject.setupIntent ?? (await stripe.setupIntents.retrieve(setupIntentId));
    const paymentMethodId = idOf(setupIntent.payment_method);
    const customerId = idOf(setupIntent.customer);
    if (setupIntent.status !== 'succeeded' || !paymentMethodId || !customerId) return null;
    const paymentMethod = await stripe.paymentMethods.retrieve(paymentMethodId);
    // Stripe's own default too, so invoices and the dashboard use the card the customer just gave.
    await stripe.customers.update(customerId, { invoice_settings: { default_payment_method: paymentMethodId } });
    return { setupIntent, paymentMethod };
  }

  async apply(tx: Tx, scope: TenantScope, event: Stripe.Event, subject: EventSubject, pre: SavedCardPrefetch | null): Promise<string | null> {
    if (event.type === 'payment_method.detached') return this.forget(tx, scope, event.data.object as Stripe.PaymentMethod);
    if (!pre) return 'the setup did not succeed';
    const { setupIntent, paymentMethod } = pre;
    const customer = await this.customers.byStripeCustomerForUpdate(tx, scope, idOf(setupIntent.customer)!);
    if (!customer) return `no customer for ${idOf(setupIntent.customer)}`;
    if (customer.setupIntentId === setupIntent.id) return 'payment method already saved';
    const savedAt = new Date(setupIntent.created * 1000);
    // Two setups completed in a row whose events arrive crossed: the later setup's card stays the default.
    if (customer.paymentMethodSavedAt && customer.paymentMethodSavedAt > savedAt) return 'a later payment method is already saved';
    customer.defaultPaymentMethodId = paymentMethod.id;
    customer.paymentMethod = {
      type: paymentMethod.type,
      brand: paymentMethod.card?.brand ?? null,
      last4: paymentMethod.card?.last4 ?? paymentMethod.sepa_debit?.last4 ?? null,
      exp_month: paymentMethod.card?.exp_month ?? null,
      exp_year: paymentMethod.card?.exp_year ?? null,
    };
    customer.setupIntentId = setupIntent.id;
    customer.paymentMethodSavedAt = savedAt;
    await this.customers.saveApplied(tx, scope, customer);
    await this.outbox.record(tx, scope, 'customer.payment_method_saved', null, {
      customer: customerRef(customer),
      payment_method: { id: paymentMethod.id, ...customer.paymentMethod },
      setup_intent_id: setupIntent.id,
      saved_at: savedAt.toISOString(),
    });
    this.logger.log(`Customer ${customer.id} saved ${paymentMethod.type} ${paymentMethod.id}`);
    return null;
  }

  /** A card removed on Stripe's side (dashboard, or our own DELETE) is no longer charged. */
  private async forget(tx: Tx, scope: TenantScope, paymentMethod: Stripe.PaymentMethod): Promise<string | null> {
    return (await this.customers.forgetPaymentMethod(scope, paymentMethod.id, null, tx)) ? null : 'not a saved payment method';
  }
}
