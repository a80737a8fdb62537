import { ApiContext } from './api-request-handler';
import { InvoicePaymentObject } from './billing-objects';
import { EmulatorStore } from './emulator-store';
import { LIST_PARAMS, listPage } from './list-page';
import { StripeApiError } from './stripe-api-error';
import { ListObject } from './stripe-objects';

const STATUSES = ['open', 'paid', 'canceled'] as const;
const PAYMENT_TYPES = ['payment_intent', 'payment_record'] as const;

/** /v1/invoice_payments: the list (by invoice, payment, status); retrieval is a plain one. */
export class InvoicePaymentEndpoints {
  constructor(private readonly store: EmulatorStore) {}

  /**
   * Stripe requires `payment[type]` whenever `payment` is given. The emulator only makes `payment_intent` payments,
   * so filtering on `payment_record` is valid and finds nothing.
   */
  list(ctx: ApiContext): ListObject<InvoicePaymentObject> {
    const { params } = ctx;
    params.assertKnown({
      ...LIST_PARAMS,
      invoice: true,
      status: true,
      payment: { type: true, payment_intent: true, payment_record: true },
    });
    const invoice = params.string('invoice');
    const status = params.enum('status', STATUSES);
    const payment = params.object('payment');
    const type = payment ? payment.enum('type', PAYMENT_TYPES) : null;
    if (payment && type === null) throw StripeApiError.parameterMissing(payment.name('type'));
    const paymentIntent = payment?.string('payment_intent') ?? null;
    const paymentRecord = payment?.string('payment_record') ?? null;
    const links = this.store.invoicePayments.list(ctx.livemode).filter(
      (link) =>
        (invoice === null || link.invoice === invoice) &&
        (status === null || link.status === status) &&
        (type === null || link.payment.type === type) &&
        (paymentIntent === null || link.payment.payment_intent === paymentIntent) &&
        paymentRecord === null,
    );
    return listPage(links, params, '/v1/invoice_payments', 'invoice_payment');
  }
}
