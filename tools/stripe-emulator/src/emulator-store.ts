import { InvoiceObject, InvoicePaymentObject, SubscriptionObject } from './billing-objects';
import { StripeApiError } from './stripe-api-error';
import {
  CheckoutSessionObject,
  CustomerObject,
  LineItemObject,
  PaymentIntentObject,
  PaymentMethodObject,
  PriceObject,
  ProductObject,
  RefundObject,
  SetupIntentObject,
  StripeEventLike,
} from './stripe-objects';
import { Metadata } from './request-params';
import { TestCard } from './test-cards';

interface Stored {
  id: string;
  livemode: boolean;
}

/**
 * Objects of one kind. A test key and a live key see disjoint data on Stripe, so every API read names its mode;
 * only the emulator's own control actions (the customer's side) look objects up across modes.
 */
export class ObjectCollection<T extends Stored> {
  private readonly byId = new Map<string, T>();

  constructor(private readonly objectName: string) {}

  insert(item: T): T {
    this.byId.set(item.id, item);
    return item;
  }

  get(id: string, livemode: boolean, param = 'id'): T {
    const item = this.byId.get(id);
    if (!item) throw StripeApiError.resourceMissing(this.objectName, id, param);
    if (item.livemode !== livemode) {
      throw StripeApiError.resourceMissing(this.objectName, id, param, item.livemode ? 'live' : 'test');
    }
    return item;
  }

  /** Any mode: for the customer's side of the flow, which holds no API key. */
  find(id: string): T {
    const item = this.byId.get(id);
    if (!item) throw StripeApiError.resourceMissing(this.objectName, id);
    return item;
  }

  /** Newest first, as Stripe lists. */
  list(livemode: boolean): T[] {
    return [...this.byId.values()].filter((item) => item.livemode === livemode).reverse();
  }
}

/** A Checkout Session plus what Stripe keeps beside it: its line items and the PaymentIntent it will create. */
export interface SessionRecord {
  id: string;
  livemode: boolean;
  session: CheckoutSessionObject;
  lineItems: LineItemObject[];
  paymentIntentData: IntentData;
  /** `setup_intent_data` (setup mode) and `subscription_data` (subscription mode), for the objects completion creates. */
  setupIntentData: IntentData;
  subscriptionData: IntentData;
}

export interface IntentData {
  metadata: Metadata;
  description: string | null;
}

/** A saved idempotent result: replayed for the same request, refused for a different one under the same key. */
export interface IdempotentResult {
  endpoint: string;
  fingerprint: string;
  requestId: string;
  status: number;
  body: string;
}

export interface WebhookDelivery {
  eventId: string;
  eventType: string;
  url: string;
  /** 0 when the request never got an HTTP answer (refused, timed out); `error` then says why. */
  status: number;
  body: string;
  error?: string;
  attemptedAt: number;
}

export class EmulatorStore {
  readonly customers = new ObjectCollection<CustomerObject>('customer');
  readonly products = new ObjectCollection<ProductObject>('product');
  readonly prices = new ObjectCollection<PriceObject>('price');
  readonly paymentIntents = new ObjectCollection<PaymentIntentObject>('payment_intent');
  readonly sessions = new ObjectCollection<SessionRecord>('checkout.session');
  readonly refunds = new ObjectCollection<RefundObject>('refund');
  readonly paymentMethods = new ObjectCollection<PaymentMethodObject>('payment_method');
  /** Which test card each PaymentMethod is: decides every charge on it, and is not part of Stripe's object. */
  readonly testCards = new Map<string, TestCard>();
  /** Methods detached, or used without a customer: Stripe refuses to attach them (again). */
  readonly spentPaymentMethods = new Set<string>();
  readonly setupIntents = new ObjectCollection<SetupIntentObject>('setup_intent');
  readonly subscriptions = new ObjectCollection<SubscriptionObject>('subscription');
  readonly invoices = new ObjectCollection<InvoiceObject>('invoice');
  readonly invoicePayments = new ObjectCollection<InvoicePaymentObject>('invoice_payment');
  readonly events: StripeEventLike[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  /** Keyed by mode and key: Stripe scopes idempotency keys to the account and mode that sent them. */
  readonly idempotentResults = new Map<string, IdempotentResult>();
}
