import Stripe from 'stripe';
import { WebhookReceiver, stripeError, useEmulator } from './emulator-test-kit.spec-helper';
import { StripeEmulator } from './index';

describe('StripeEmulator invoice PaymentIntents and invoice payments', () => {
  const harness = useEmulator();
  let emulator: StripeEmulator;
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  beforeAll(() => ({ emulator, receiver, stripe } = harness));

  /** A customer subscribed through Checkout to €9.90/month plus a one-time €15 fee: a first invoice of €24.90. */
  async function subscribe(card: 'visa' | 'authentication_required' = 'visa'): Promise<{ subscription: Stripe.Subscription; invoice: string }> {
    const customer = await stripe.customers.create({ email: 'inpay@example.com' });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      success_url: 'https://shop.example/abonne',
      line_items: [
        { price_data: { currency: 'eur', unit_amount: 990, product_data: { name: 'Pro' }, recurring: { interval: 'month' } }, quantity: 1 },
        { price_data: { currency: 'eur', unit_amount: 1500, product_data: { name: 'Frais' } }, quantity: 1 },
      ],
      subscription_data: { metadata: { partner_id: 'par_9' } },
    });
    await emulator.completeCheckoutSession(session.id, { card });
    const completed = await stripe.checkout.sessions.retrieve(session.id);
    const subscription = await stripe.subscriptions.retrieve(completed.subscription as string);
    return { subscription, invoice: completed.invoice as string };
  }

  /** The PaymentIntent behind an invoice, found the way our service would: through its default InvoicePayment. */
  async function intentOf(invoice: string): Promise<Stripe.PaymentIntent> {
    const { data } = await stripe.invoicePayments.list({ invoice });
    expect(data).toHaveLength(1);
    return stripe.paymentIntents.retrieve(data[0].payment.payment_intent as string);
  }

  it('pays the first invoice through a PaymentIntent linked by a paid InvoicePayment, its event before invoice.paid', async () => {
    const { subscription, invoice } = await subscribe();

    const payments = await stripe.invoicePayments.list({ invoice });
    const [link] = payments.data;
    const intent = await stripe.paymentIntents.retrieve(link.payment.payment_intent as string);

    expect(receiver.types()).toEqual(['customer.subscription.created', 'payment_intent.succeeded', 'invoice.paid', 'checkout.session.completed']);
    expect(payments).toMatchObject({ object: 'list', url: '/v1/invoice_payments', has_more: false });
    expect(link).toMatchObject({
      object: 'invoice_payment',
      invoice,
      is_default: true,
      status: 'paid',
      amount_paid: 2490,
      amount_requested: 2490,
      currency: 'eur',
      livemode: false,
      payment: { type: 'payment_intent' },
      status_transitions: { canceled_at: null, paid_at: expect.any(Number) },
    });
    expect(link.id).toMatch(/^inpay_/);
    expect(intent).toMatchObject({
      status: 'succeeded',
      amount: 2490,
      amount_received: 2490,
      currency: 'eur',
      customer: subscription.customer,
      payment_method: subscription.default_payment_method,
      description: 'Subscription creation',
      metadata: {},
      last_payment_error: null,
    });
    expect(intent.latest_charge).toMatch(/^ch_/);
    expect(receiver.received[1].data.object).toMatchObject({ id: intent.id, status: 'succeeded' });
    await expect(stripe.invoicePayments.retrieve(link.id)).resolves.toMatchObject({ id: link.id, status: 'paid' });
  });

  it('charges a 3-D Secure card on Checkout’s page: the first invoice’s PaymentIntent succeeds', async () => {
    const { invoice } = await subscribe('authentication_required');

    await expect(intentOf(invoice)).resolves.toMatchObject({ status: 'succeeded', last_payment_error: null });
    await expect(stripe.invoices.retrieve(invoice)).resolves.toMatchObject({ status: 'paid' });
  });

  it('tells why a renewal failed: the PaymentIntent’s last_payment_error, sent before invoice.payment_failed', async () => {
    const { subscription } = await subscribe();
    receiver.clear();

    await emulator.renewSubscription(subscription.id, { card: 'insufficient_funds' });
    const [failedIntent, failedInvoice] = receiver.received.map((e) => e.data.object) as [Stripe.PaymentIntent, Stripe.Invoice];
    const intent = await intentOf(failedInvoice.id);
    const [link] = (await stripe.invoicePayments.list({ invoice: failedInvoice.id })).data;

    expect(receiver.types()).toEqual(['payment_intent.payment_failed', 'invoice.payment_failed', 'customer.subscription.updated']);
    expect(failedIntent.id).toBe(intent.id);
    expect(intent).toMatchObject({
      status: 'requires_payment_method',
      amount: 990,
      amount_received: 0,
      description: 'Subscription update',
      metadata: {},
      latest_charge: null,
      last_payment_error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
        payment_method: { id: subscription.default_payment_method },
      },
    });
    expect(link).toMatchObject({ status: 'open', amount_paid: null, amount_requested: 990, status_transitions: { paid_at: null } });
  });

  it('filters by status and payment, and requires payment[type] as Stripe does', async () => {
    const { subscription, invoice: first } = await subscribe();
    await emulator.renewSubscription(subscription.id, { card: 'generic_decline' });
    const { latest_invoice: failed } = await stripe.subscriptions.retrieve(subscription.id);
    const failedIntent = await intentOf(failed as string);

    const open = await stripe.invoicePayments.list({ status: 'open', payment: { type: 'payment_intent', payment_intent: failedIntent.id } });
    const paid = await stripe.invoicePayments.list({ invoice: first, status: 'paid' });
    const records = await stripe.invoicePayments.list({ payment: { type: 'payment_record' } });
    const untyped = await stripeError(stripe.invoicePayments.list({ payment: { payment_intent: failedIntent.id } } as Stripe.InvoicePaymentListParams));
    const typo = await stripeError(stripe.invoicePayments.list({ subscription: subscription.id } as Stripe.InvoicePaymentListParams));

    expect(open.data.map((p) => p.invoice)).toEqual([failed]);
    expect(paid.data).toHaveLength(1);
    expect(records.data).toEqual([]);
    expect(untyped).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'payment[type]' });
    expect(typo).toMatchObject({ code: 'parameter_unknown', param: 'subscription' });
  });

  it('refunds a paid renewal by its PaymentIntent, and leaves the invoice’s PaymentIntent to Billing', async () => {
    const { subscription } = await subscribe();
    await emulator.renewSubscription(subscription.id);
    const { latest_invoice: renewal } = await stripe.subscriptions.retrieve(subscription.id);
    const intent = await intentOf(renewal as string);
    receiver.clear();

    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 500 });
    const cancel = await stripeError(stripe.paymentIntents.cancel(intent.id));
    const update = await stripeError(stripe.paymentIntents.update(intent.id, { amount: 100 }));

    expect(refund).toMatchObject({ status: 'succeeded', amount: 500, payment_intent: intent.id, charge: intent.latest_charge });
    expect(receiver.types()).toEqual(['charge.refunded', 'refund.created']);
    expect(receiver.received[0].data.object).toMatchObject({ amount_refunded: 500, refunded: false });
    expect(cancel).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    expect(cancel.message).toContain(`invoice ${renewal}`);
    expect(update.statusCode).toBe(400);
    await expect(stripe.paymentIntents.update(intent.id, { metadata: { note: 'ok' } })).resolves.toMatchObject({ metadata: { note: 'ok' } });
    await expect(emulator.confirmPaymentIntent(intent.id)).rejects.toThrow('renewSubscription');
  });

  it('keeps modes apart: a live key cannot read a test invoice payment or its PaymentIntent', async () => {
    const { invoice } = await subscribe();
    const [link] = (await stripe.invoicePayments.list({ invoice })).data;

    const retrieved = await stripeError(harness.live.invoicePayments.retrieve(link.id));
    const intent = await stripeError(harness.live.paymentIntents.retrieve(link.payment.payment_intent as string));
    const listed = await harness.live.invoicePayments.list({ invoice });

    expect(retrieved).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
    expect(intent).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(listed.data).toEqual([]);
  });
});
