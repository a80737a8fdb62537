import Stripe from 'stripe';
import { WebhookReceiver, customerWithCard, stripeError, useEmulator } from './emulator-test-kit.spec-helper';
import { StripeEmulator } from './index';

describe('StripeEmulator payment methods', () => {
  const harness = useEmulator();
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  beforeAll(() => ({ receiver, stripe } = harness));

  it('attaches Stripe’s test tokens, each as a new card method, with payment_method.attached', async () => {
    const customer = await stripe.customers.create();

    const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const again = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const needsAuth = await stripe.paymentMethods.attach('pm_card_authenticationRequired', { customer: customer.id });
    const poor = await stripe.paymentMethods.attach('pm_card_chargeDeclinedInsufficientFunds', { customer: customer.id });
    const declined = await stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id });

    expect(visa).toMatchObject({ object: 'payment_method', type: 'card', customer: customer.id, card: { brand: 'visa', last4: '4242' } });
    expect(visa.id).toMatch(/^pm_[A-Za-z0-9]{24}$/);
    expect(again.id).not.toBe(visa.id);
    expect([needsAuth, poor, declined].map((pm) => pm.card?.last4)).toEqual(['3184', '9995', '0002']);
    expect(receiver.types()).toEqual(Array(5).fill('payment_method.attached'));
    expect(receiver.received[0].data.object).toMatchObject({ id: visa.id, customer: customer.id });
  });

  it('lists a customer’s methods by both routes, filtered by type', async () => {
    const customer = await stripe.customers.create();
    const first = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const second = await stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id });

    const byCustomer = await stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
    const byQuery = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    const otherType = await stripe.paymentMethods.list({ customer: customer.id, type: 'sepa_debit' });

    expect(byCustomer).toMatchObject({ object: 'list', url: `/v1/customers/${customer.id}/payment_methods` });
    expect(byCustomer.data.map((pm) => pm.id)).toEqual([second.id, first.id]);
    expect(byQuery.data.map((pm) => pm.id)).toEqual([second.id, first.id]);
    expect(otherType.data).toEqual([]);
  });

  it('sets a default method only when it is the customer’s own', async () => {
    const customer = await stripe.customers.create();
    const other = await stripe.customers.create();
    const own = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const foreign = await stripe.paymentMethods.attach('pm_card_visa', { customer: other.id });

    const updated = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: own.id } });
    const refused = await stripeError(stripe.customers.update(customer.id, { name: 'Changed', invoice_settings: { default_payment_method: foreign.id } }));
    const onCreate = await stripeError(stripe.customers.create({ invoice_settings: { default_payment_method: own.id } }));
    const missing = await stripeError(stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: 'pm_nope' } }));

    expect(updated.invoice_settings.default_payment_method).toBe(own.id);
    expect(refused).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(refused).toMatchObject({ statusCode: 400, param: 'invoice_settings[default_payment_method]' });
    expect(refused.message).toContain(`does not have a payment method with the ID ${foreign.id}`);
    expect(onCreate.param).toBe('invoice_settings[default_payment_method]');
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'invoice_settings[default_payment_method]' });
    await expect(stripe.customers.retrieve(customer.id)).resolves.toMatchObject({ name: null, invoice_settings: { default_payment_method: own.id } });
  });

  it('detaches: payment_method.detached, the customer’s default cleared, and never attachable again', async () => {
    const { customer, paymentMethod } = await customerWithCard(harness);

    const detached = await stripe.paymentMethods.detach(paymentMethod);
    const again = await stripeError(stripe.paymentMethods.detach(paymentMethod));
    const reattach = await stripeError(stripe.paymentMethods.attach(paymentMethod, { customer: customer.id }));
    const charge = await stripeError(
      stripe.paymentIntents.create({ amount: 500, currency: 'eur', customer: customer.id, payment_method: paymentMethod, confirm: true }),
    );

    expect(detached).toMatchObject({ id: paymentMethod, customer: null });
    expect(receiver.types()).toEqual(['payment_method.detached']);
    expect(receiver.received[0].data).toMatchObject({ object: { id: paymentMethod, customer: null }, previous_attributes: { customer: customer.id } });
    expect(receiver.received[0].request?.id).toBe(detached.lastResponse.requestId);
    await expect(stripe.customers.retrieve(customer.id)).resolves.toMatchObject({ invoice_settings: { default_payment_method: null } });
    expect(again.message).toContain('not attached to a customer');
    expect(reattach.message).toContain('may not be used again');
    expect(charge).toMatchObject({ statusCode: 400, param: 'payment_method' });
  });

  it('refuses to move a method to another customer, and keeps modes apart', async () => {
    const { paymentMethod } = await customerWithCard(harness);
    const other = await stripe.customers.create();

    const moved = await stripeError(stripe.paymentMethods.attach(paymentMethod, { customer: other.id }));
    const crossMode = await stripeError(harness.live.paymentMethods.retrieve(paymentMethod));
    const noCustomer = await stripeError(stripe.paymentMethods.attach('pm_card_visa', {} as Stripe.PaymentMethodAttachParams));

    expect(moved.message).toBe('The payment method you provided has already been attached to a customer.');
    expect(crossMode).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(noCustomer).toMatchObject({ code: 'parameter_missing', param: 'customer' });
  });
});
