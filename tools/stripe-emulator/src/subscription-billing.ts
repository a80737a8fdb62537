import { InvoiceLineObject, InvoiceObject, SubscriptionObject } from './billing-objects';
import { formatMinor } from './checkout-line-items';
import { EmulatorStore } from './emulator-store';
import { InvoiceChargeOptions, chargeInvoice } from './invoice-payments';
import { stripeIds } from './stripe-ids';
import { PaymentIntentObject, PriceObject } from './stripe-objects';

const DAY = 24 * 60 * 60;
/** When Stripe's default retry schedule tries a failed renewal again; the emulator does not retry by itself. */
const RETRY_DELAY = 3 * DAY;

/**
 * `ts` moved by `count` intervals, the way Stripe bills: months and years keep the day of the month, or fall on the
 * month's last day when it is shorter (an anchor on 31 January renews on 28 or 29 February).
 */
export function addInterval(ts: number, interval: NonNullable<PriceObject['recurring']>['interval'], count: number): number {
  if (interval === 'day') return ts + count * DAY;
  if (interval === 'week') return ts + count * 7 * DAY;
  const start = new Date(ts * 1000);
  const months = interval === 'year' ? 12 * count : count;
  const firstOfTarget = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(firstOfTarget.getUTCFullYear(), firstOfTarget.getUTCMonth() + 1, 0)).getUTCDate();
  const target = new Date(start);
  target.setUTCFullYear(firstOfTarget.getUTCFullYear(), firstOfTarget.getUTCMonth(), Math.min(start.getUTCDate(), lastDay));
  return Math.floor(target.getTime() / 1000);
}

/** The end of the period after `currentEnd`, counted from the anchor so that short months do not shift later renewals. */
export function nextPeriodEnd(anchor: number, recurring: NonNullable<PriceObject['recurring']>, currentEnd: number): number {
  let periods = 1;
  while (addInterval(anchor, recurring.interval, recurring.interval_count * periods) <= currentEnd) periods++;
  return addInterval(anchor, recurring.interval, recurring.interval_count * periods);
}

export interface InvoiceLineInput {
  price: PriceObject;
  quantity: number;
  period: { start: number; end: number };
  /** The subscription item the line bills; null for a one-time price billed with the first invoice. */
  subscriptionItem: string | null;
}

export interface NewInvoice {
  subscription: SubscriptionObject;
  billingReason: InvoiceObject['billing_reason'];
  lines: InvoiceLineInput[];
  /**
   * Stripe's `period_start`/`period_end` on a subscription invoice cover the period *before* it (for usage billed in
   * arrears): both equal the creation time on the first invoice; the lines carry the period being paid for.
   */
  periodStart: number;
  periodEnd: number;
  created: number;
}

/** A finalized invoice for a subscription, not yet paid; `payInvoice` settles it. */
export function insertInvoice(store: EmulatorStore, fields: NewInvoice): InvoiceObject {
  const { subscription } = fields;
  const customer = store.customers.find(subscription.customer);
  const id = stripeIds.invoice();
  const lines = fields.lines.map((line) => invoiceLine(store, id, subscription, line));
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const sequence = store.invoices.list(subscription.livemode).filter((invoice) => invoice.customer === customer.id).length + 1;
  return store.invoices.insert({
    id,
    object: 'invoice',
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    billing_reason: fields.billingReason,
    collection_method: 'charge_automatically',
    created: fields.created,
    currency: subscription.currency,
    customer: customer.id,
    customer_email: customer.email,
    customer_name: customer.name,
    default_payment_method: null,
    description: null,
    due_date: null,
    effective_at: fields.created,
    hosted_invoice_url: null,
    invoice_pdf: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: subscription.livemode,
    metadata: {},
    next_payment_attempt: null,
    number: `${customer.invoice_prefix}-${String(sequence).padStart(4, '0')}`,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      // A snapshot: later changes to the subscription's metadata do not rewrite past invoices.
      subscription_details: { metadata: { ...subscription.metadata }, subscription: subscription.id },
    },
    period_end: fields.periodEnd,
    period_start: fields.periodStart,
    status: 'open',
    status_transitions: { finalized_at: fields.created, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    total,
    total_excluding_tax: total,
  });
}

function invoiceLine(store: EmulatorStore, invoiceId: string, subscription: SubscriptionObject, line: InvoiceLineInput): InvoiceLineObject {
  const { price, quantity } = line;
  const product = store.products.find(price.product);
  const amount = price.unit_amount * quantity;
  const every = price.recurring
    ? ` / ${price.recurring.interval_count > 1 ? `${price.recurring.interval_count} ${price.recurring.interval}s` : price.recurring.interval}`
    : '';
  return {
    id: stripeIds.invoiceLine(),
    object: 'line_item',
    amount,
    currency: price.currency,
    description: `${quantity} × ${product.name} (at ${formatMinor(price.unit_amount, price.currency).replace(/ \w+$/, '')}${every})`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: subscription.livemode,
    metadata: {},
    parent: line.subscriptionItem
      ? {
          type: 'subscription_item_details',
          invoice_item_details: null,
          subscription_item_details: {
            invoice_item: null,
            proration: false,
            proration_details: { credited_items: null },
            subscription: subscription.id,
            subscription_item: line.subscriptionItem,
          },
        }
      : null,
    period: line.period,
    pretax_credit_amounts: [],
    pricing: { type: 'price_details', price_details: { price: price.id, product: price.product }, unit_amount_decimal: price.unit_amount_decimal },
    quantity,
    subtotal: amount,
    taxes: [],
  };
}

/**
 * Charges the invoice to a payment method, as Stripe does when a subscription invoice is finalized: through a new
 * PaymentIntent, linked to the invoice by an InvoicePayment (see chargeInvoice). `opts.card` plays the bank's answer
 * for this attempt (a card that starts being declined); by default the method's own test card decides, and no method
 * at all fails the attempt. An invoice for nothing is paid without a charge, so without a PaymentIntent.
 */
export function payInvoice(
  store: EmulatorStore,
  invoice: InvoiceObject,
  paymentMethod: string | null,
  at: number,
  opts: InvoiceChargeOptions = {},
): { paid: boolean; paymentIntent: PaymentIntentObject | null } {
  invoice.attempt_count += 1;
  invoice.attempted = true;
  const paymentIntent = invoice.amount_due === 0 ? null : chargeInvoice(store, invoice, paymentMethod, at, opts);
  const paid = paymentIntent === null || paymentIntent.status === 'succeeded';
  if (paid) {
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.next_payment_attempt = null;
    invoice.status_transitions.paid_at = at;
  } else {
    invoice.status = 'open';
    invoice.next_payment_attempt = at + RETRY_DELAY;
  }
  return { paid, paymentIntent };
}

/** The default payment method a subscription charges: its own, else its customer's invoice settings. */
export function chargedPaymentMethod(store: EmulatorStore, subscription: SubscriptionObject): string | null {
  const customer = store.customers.find(subscription.customer);
  return subscription.default_payment_method ?? customer.invoice_settings.default_payment_method;
}
