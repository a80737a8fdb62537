import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { Customer, CustomerBusiness, Locale, newId, OrderBuyer, Page, PageRequest, PostalAddress, TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { StripeClient } from '@app/stripe';
import { CustomerFilters, CustomerRepository } from './customer.repository';
import { stripeCall } from './stripe-call';

export type { CustomerFilters } from './customer.repository';

/** A customer as the partner describes it; fields left out keep their current value. */
export interface CustomerInput {
  email: string;
  name?: string | null;
  external_id?: string | null;
  address?: PostalAddress | null;
  locale?: Locale;
  business?: CustomerBusiness | null;
}

/** Every payment call names a customer by id or describes one inline. */
export type CustomerRef = { customer_id: string } | { customer: CustomerInput };

/** One Stripe Customer per partner customer (seed 003's `user_stripe_id`), created once and kept in step. */
@Injectable()
export class CustomerService {
  constructor(
    private readonly customers: CustomerRepository,
    private readonly stripe: StripeClient,
  ) {}

  async resolve(scope: TenantScope, ref: CustomerRef): Promise<Customer> {
    return 'customer_id' in ref ? this.get(scope, ref.customer_id) : (await this.upsert(scope, ref.customer)).customer;
  }

  async get(scope: TenantScope, id: string): Promise<Customer> {
    const customer = await this.customers.get(scope, id);
    if (!customer) throw AppError.notFound('customer', id);
    return customer;
  }

  list(scope: TenantScope, filters: CustomerFilters, page: PageRequest): Promise<Page<Customer>> {
    return this.customers.list(scope, filters, page);
  }

  /**
   * Creates the customer (and its Stripe Customer) the first time, updates both afterwards: a repeat with the same
   * `external_id` (or, without one, the same email) is the same customer.
   */
  async upsert(scope: TenantScope, input: CustomerInput): Promise<{ customer: Customer; created: boolean }> {
    const lookupKey = input.external_id ? `ext:${input.external_id}` : `email:${input.email.toLowerCase()}`;
    const existing = await this.customers.byLookupKey(scope, lookupKey);
    if (existing) return { customer: await this.update(scope, existing, input), created: false };
    // Concurrent first calls for the same customer reuse one Stripe Customer: Stripe replays the
    // response for the same idempotency key.
    const idempotencyKey = 'cus-' + createHash('sha256').update(`${scope.partnerId}|${scope.environment}|${lookupKey}`).digest('hex').slice(0, 40);
    const stripeCustomer = await stripeCall('customer', () =>
      this.stripe.for(scope.environment).customers.create(
        {
          ...stripeFieldsOf(input),
          metadata: { partner_id: scope.partnerId, ...(input.external_id ? { external_id: input.external_id } : {}) },
        },
        { idempotencyKey },
      ),
    );
    const created = await this.customers.insertIfAbsent(scope, {
      id: newId('cust'),
      lookupKey,
      externalId: input.external_id ?? null,
      email: input.email,
      name: input.name ?? null,
      address: input.address ?? null,
      locale: input.locale ?? 'fr',
      business: input.business ?? null,
      stripeCustomerId: stripeCustomer.id,
    });
    const customer = await this.customers.byLookupKey(scope, lookupKey);
    if (!customer) throw new Error(`customer ${lookupKey} vanished after its insert`);
    return { customer, created };
  }

  /** The saved card is removed from Stripe too, so a later charge cannot use it. */
  async detachPaymentMethod(scope: TenantScope, id: string): Promise<Customer> {
    const customer = await this.get(scope, id);
    if (!customer.defaultPaymentMethodId) throw new AppError('payment_method_missing', `Customer ${id} has no saved payment method.`);
    await stripeCall('payment method', async () => {
      try {
        await this.stripe.for(scope.environment).paymentMethods.detach(customer.defaultPaymentMethodId!);
      } catch (err) {
        // Already detached (from the Stripe dashboard, or a retried call): the goal is reached.
        if (!(err instanceof Stripe.errors.StripeInvalidRequestError)) throw err;
      }
    });
    await this.customers.forgetPaymentMethod(scope, customer.defaultPaymentMethodId, customer.id);
    return this.get(scope, id);
  }

  private async update(scope: TenantScope, existing: Customer, input: CustomerInput): Promise<Customer> {
    const next: Partial<Customer> = {
      email: input.email,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.address !== undefined ? { address: input.address } : {}),
      ...(input.locale !== undefined ? { locale: input.locale } : {}),
      ...(input.business !== undefined ? { business: input.business } : {}),
    };
    const changed = (Object.keys(next) as (keyof Customer)[]).some((k) => JSON.stringify(next[k]) !== JSON.stringify(existing[k]));
    if (!changed) return existing;
    await stripeCall('customer', () => this.stripe.for(scope.environment).customers.update(existing.stripeCustomerId, stripeFieldsOf({ ...existing, ...input })));
    await this.customers.update(scope, existing.id, next);
    return { ...existing, ...next };
  }
}

/** What Stripe keeps of a customer: its receipts and Checkout pages use them. */
function stripeFieldsOf(c: { email: string; name?: string | null; address?: PostalAddress | null; locale?: Locale }): Stripe.CustomerCreateParams & Stripe.CustomerUpdateParams {
  return {
    email: c.email,
    ...(c.name ? { name: c.name } : {}),
    ...(c.address
      ? { address: { line1: c.address.line1, line2: c.address.line2 ?? undefined, postal_code: c.address.postal_code, city: c.address.city, country: c.address.country } }
      : {}),
    ...(c.locale ? { preferred_locales: [c.locale] } : {}),
  };
}

/** What the invoice prints about a buyer known as a customer. */
export function buyerOfCustomer(customer: Customer): OrderBuyer | null {
  if (!customer.address && !customer.business) return null;
  return {
    address: customer.address ?? null,
    company_name: customer.business?.name ?? null,
    vat_number: customer.business?.vat_number ?? null,
    siren: customer.business?.siren ?? null,
  };
}
