import { EmulatorStore } from './emulator-store';
import { LIST_PARAMS, listPage } from './list-page';
import { ParamShape, RequestParams, mergeMetadata, newMetadata } from './request-params';
import { StripeApiError } from './stripe-api-error';
import { stripeIds, randomToken } from './stripe-ids';
import { Address, CustomerObject, ListObject, nowSeconds } from './stripe-objects';

const ADDRESS_FIELDS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const;

const CUSTOMER_PARAMS: { [key: string]: ParamShape } = {
  email: true,
  name: true,
  description: true,
  phone: true,
  metadata: 'map',
  address: Object.fromEntries(ADDRESS_FIELDS.map((field) => [field, true])),
  preferred_locales: [true],
  invoice_settings: { default_payment_method: true },
  expand: [true],
};

/** /v1/customers: create, update and list (retrieval is a plain route), with Stripe's merge rules for partial updates. */
export class CustomerEndpoints {
  constructor(private readonly store: EmulatorStore) {}

  create(params: RequestParams, livemode: boolean): CustomerObject {
    params.assertKnown(CUSTOMER_PARAMS);
    const address = params.object('address');
    // A new customer has no attached methods yet, so any default is refused, as on Stripe.
    if (params.object('invoice_settings')?.string('default_payment_method')) this.defaultPaymentMethod(params, null, livemode);
    return this.store.customers.insert({
      id: stripeIds.customer(),
      object: 'customer',
      address: address ? readAddress(address, null) : null,
      balance: 0,
      created: nowSeconds(),
      currency: null,
      delinquent: false,
      description: params.string('description'),
      email: params.string('email'),
      invoice_prefix: randomToken(8).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null },
      livemode,
      metadata: newMetadata(params.metadata('metadata')),
      name: params.string('name'),
      phone: params.string('phone'),
      preferred_locales: params.stringList('preferred_locales'),
      shipping: null,
      tax_exempt: 'none',
    });
  }

  /** Only the parameters sent change; `key=` (the SDK's null) clears a field, as on Stripe. */
  update(id: string, params: RequestParams, livemode: boolean): CustomerObject {
    const customer = this.store.customers.get(id, livemode);
    params.assertKnown(CUSTOMER_PARAMS);
    // Checked before anything changes, so a refused update leaves the customer as it was.
    const defaultPm = params.object('invoice_settings')?.has('default_payment_method')
      ? this.defaultPaymentMethod(params, customer.id, livemode)
      : undefined;
    for (const field of ['email', 'name', 'description', 'phone'] as const) {
      if (params.has(field)) customer[field] = params.string(field);
    }
    if (params.has('address')) {
      const address = params.object('address');
      customer.address = address ? readAddress(address, customer.address) : null;
    }
    if (params.has('preferred_locales')) customer.preferred_locales = params.stringList('preferred_locales');
    if (defaultPm !== undefined) customer.invoice_settings.default_payment_method = defaultPm;
    customer.metadata = mergeMetadata(customer.metadata, params.metadata('metadata'));
    return customer;
  }

  /** `invoice_settings[default_payment_method]`: empty clears it; otherwise a method attached to this customer. */
  private defaultPaymentMethod(params: RequestParams, customerId: string | null, livemode: boolean): string | null {
    const param = 'invoice_settings[default_payment_method]';
    const id = params.object('invoice_settings')?.string('default_payment_method') ?? null;
    if (id === null) return null;
    const pm = this.store.paymentMethods.get(id, livemode, param);
    if (customerId === null || pm.customer !== customerId) {
      throw StripeApiError.invalid(
        param,
        `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
      );
    }
    return pm.id;
  }

  list(params: RequestParams, livemode: boolean): ListObject<CustomerObject> {
    params.assertKnown({ ...LIST_PARAMS, email: true });
    const email = params.string('email');
    // Stripe's email filter is an exact, case-sensitive match.
    const customers = this.store.customers.list(livemode).filter((customer) => email === null || customer.email === email);
    return listPage(customers, params, '/v1/customers', 'customer');
  }
}

function readAddress(params: RequestParams, current: Address | null): Address {
  const address: Address = current
    ? { ...current }
    : { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
  for (const field of ADDRESS_FIELDS) {
    if (params.has(field)) address[field] = params.string(field);
  }
  return address;
}
