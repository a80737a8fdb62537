import type { Customer } from '@app/database';

/** How messages name a customer. */
export function customerRef(customer: Customer) {
  return { id: customer.id, external_id: customer.externalId, email: customer.email, stripe_customer_id: customer.stripeCustomerId };
}

/** The customer as the partner API returns it. */
export function customerView(customer: Customer) {
  return {
    object: 'customer' as const,
    ...customerRef(customer),
    name: customer.name,
    address: customer.address,
    locale: customer.locale,
    business: customer.business,
    payment_method: customer.defaultPaymentMethodId
      ? { id: customer.defaultPaymentMethodId, ...customer.paymentMethod, saved_at: customer.paymentMethodSavedAt?.toISOString() ?? null }
      : null,
    created_at: customer.createdAt.toISOString(),
  };
}
