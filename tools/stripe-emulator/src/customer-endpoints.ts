import { EmulatorStore } from './emulator-store';
import { LIST_PARAMS, listPage } from './list-page';
import { ParamShape, RequestParams, mergeMetadata, newMetadata } from './request-params';
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
  expand: [true],
};

/** /v1/customers: create, retrieve, update and list, with Stripe's merge rules for partial updates. */
export class CustomerEndpoints {
  constructor(private readonly store: EmulatorStore) {}

  create(params: RequestParams, livemode: boolean): CustomerObject {
    params.assertKnown(CUSTOMER_PARAMS);
    const address = params.object('address');
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

  retrieve(id: string, livemode: boolean): CustomerObject {
    return this.store.customers.get(id, livemode);
  }

  /** Only the parameters sent change; `key=` (the SDK's null) clears a field, as on Stripe. */
  update(id: string, params: RequestParams, livemode: boolean): CustomerObject {
    const customer = this.store.customers.get(id, livemode);
    params.assertKnown(CUSTOMER_PARAMS);
    for (const field of ['email', 'name', 'description', 'phone'] as const) {
      if (params.has(field)) customer[field] = params.string(field);
    }
    if (params.has('address')) {
      const address = params.object('address');
      customer.address = address ? readAddress(address, customer.address) : null;
    }
    if (params.has('preferred_locales')) customer.preferred_locales = params.stringList('preferred_locales');
    customer.metadata = mergeMetadata(customer.metadata, params.metadata('metadata'));
    return customer;
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
