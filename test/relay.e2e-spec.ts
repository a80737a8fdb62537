import { Webhook } from 'standardwebhooks';
import { pdfText } from './support/pdf-text';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** The core promise, end to end: a paid checkout becomes an order, an emailed PDF invoice and signed partner webhooks. */
describe('core relay', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('turns a paid checkout into a paid order, an emailed invoice and signed webhooks within a second or so', async () => {
    const partner = await stack.createPartner();
    expect(partner.id).toMatch(/^par_/);
    expect(partner.api_keys.test).toMatch(/^ca_test_/);
    expect(partner.api_keys.live).toMatch(/^ca_live_/);
    const endpoint = await stack.createEndpoint(partner.api_keys.test);
    expect(endpoint.secret).toMatch(/^whsec_/);

    const checkout = await stack.createCheckout(partner.api_keys.test);
    expect(checkout.checkout_session_id).toMatch(/^cs_test_/);
    expect(checkout.url).toContain(checkout.checkout_session_id);

    const paidAt = Date.now();
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);

    const paid = await waitFor('order.paid at the partner', () => stack.receiver.ofType('order.paid')[0]);
    const issued = await waitFor('invoice.issued at the partner', () => stack.receiver.ofType('invoice.issued')[0]);
    const mail = await waitFor('the invoice email', () => stack.smtp.messages[0]);
    const elapsed = Date.now() - paidAt;
    expect(elapsed).toBeLessThan(3000);

    // The partner verifies both webhooks with the standardwebhooks library and its secret.
    const verifier = new Webhook(endpoint.secret);
    const paidEvent = verifier.verify(paid.body, paid.headers as Record<string, string>) as any;
    const issuedEvent = verifier.verify(issued.body, issued.headers as Record<string, string>) as any;
    expect(paid.headers['webhook-id']).toMatch(/^msg_/);
    expect(paidEvent.type).toBe('order.paid');
    expect(paidEvent.data).toMatchObject({
      id: checkout.order_id,
      environment: 'staging',
      status: 'paid',
      partner_order_ref: 'CMD-1001',
      amount_total: 2 * 4990 + 3 * 590,
      currency: 'eur',
      customer: { email: 'camille@example.test', name: 'Camille Martin' },
      stripe: { checkout_session_id: checkout.checkout_session_id },
    });
    expect(paidEvent.data.line_items).toHaveLength(2);
    expect(paidEvent.data.invoice.number).toMatch(/^TEST-ATL-\d{4}-000001$/);
    expect(paidEvent.data.stripe.event_id).toMatch(/^evt_/);
    expect(paidEvent.data.stripe.payment_intent_id).toMatch(/^pi_/);
    expect(issuedEvent.type).toBe('invoice.issued');
    expect(issuedEvent.data).toMatchObject({ id: paidEvent.data.invoice.id, number: paidEvent.data.invoice.number, order_id: checkout.order_id, amount_total: 11750 });
    // order.paid is sent before invoice.issued.
    expect(stack.receiver.received.indexOf(paid)).toBeLessThan(stack.receiver.received.indexOf(issued));

    // The email: to the customer, French subject with the number, the PDF attached.
    const number = paidEvent.data.invoice.number as string;
    expect(mail.to).toMatchObject({ value: [{ address: 'camille@example.test', name: 'Camille Martin' }] });
    expect(mail.subject).toContain(number);
    expect(mail.subject).toContain('facture');
    expect(mail.attachments).toHaveLength(1);
    const attachment = mail.attachments[0];
    expect(attachment.contentType).toBe('application/pdf');
    expect(attachment.filename).toBe(`${number}.pdf`);

    const text = await pdfText(attachment.content);
    expect(text).toContain(number);
    expect(text).toContain('Atelier Lumière SAS');
    expect(text).toContain('117,50 €');
    expect(text).toContain('TEST');

    // The partner API serves the same bytes and the paid order.
    const pdf = await stack.http('GET', `/v1/invoices/${paidEvent.data.invoice.id}/pdf`, { token: partner.api_keys.test });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.buffer.equals(attachment.content)).toBe(true);
    const order = await stack.http('GET', `/v1/orders/${checkout.order_id}`, { token: partner.api_keys.test });
    expect(order.json).toMatchObject({ id: checkout.order_id, status: 'paid', invoice: { number } });
    const invoice = await stack.http('GET', `/v1/invoices/${paidEvent.data.invoice.id}`, { token: partner.api_keys.test });
    expect(invoice.json).toMatchObject({ number, amount_total: 11750, amount_excluding_tax: 9792, amount_tax: 1958 });
  });

  it('returns an embedded checkout client secret and refuses an unsigned basket', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'EMB' });
    const embedded = await stack.createCheckout(partner.api_keys.test, { ui_mode: 'embedded', success_url: undefined, return_url: 'https://shop.example.test/retour' });
    expect(embedded.client_secret).toMatch(/^cs_test_.+_secret_/);
    expect(embedded.url).toBeUndefined();

    const bad = await stack.http('POST', '/v1/checkout-sessions', {
      token: partner.api_keys.test,
      body: { customer: { email: 'not-an-email' }, line_items: [{ name: 'X', quantity: 0, unit_amount: -5 }], success_url: 'https://x.test', amount: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('validation_failed');
    expect(bad.json.error.request_id).toMatch(/^req_/);
    const fields = bad.json.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['customer.email', 'line_items.0.quantity', 'line_items.0.unit_amount']));
    const orders = await stack.sql(`SELECT count(*)::int AS n FROM orders WHERE partner_id = $1`, [partner.id]);
    expect(orders[0].n).toBe(1);
  });

  it('refuses calls without a valid key, with the error shape partners can rely on', async () => {
    const none = await stack.http('GET', '/v1/endpoints');
    expect(none.status).toBe(401);
    expect(none.json.error).toMatchObject({ code: 'unauthenticated' });
    const wrong = await stack.http('GET', '/v1/endpoints', { token: 'ca_test_doesnotexist' });
    expect(wrong.status).toBe(401);
    const admin = await stack.http('POST', '/admin/partners', { token: 'ca_test_x', body: {} });
    expect(admin.status).toBe(401);
  });

  it('retries a failing partner with the same webhook-id and records every attempt', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'RTY' });
    await stack.createEndpoint(partner.api_keys.test, stack.receiverUrl, { event_types: ['order.paid'] });
    const before = stack.receiver.received.length;
    stack.receiver.respondWith(500, 500);
    const checkout = await stack.createCheckout(partner.api_keys.test);
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);

    const attempts = await waitFor('a delivered order.paid', async () => {
      const rows = await stack.sql<{ status_code: number; error: string | null; status: string }>(
        `SELECT a.status_code, a.error, d.status FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
         JOIN messages m ON m.id = d.message_id WHERE m.order_id = $1 ORDER BY a.attempted_at`,
        [checkout.order_id],
      );
      return rows.length === 3 && rows[0].status === 'delivered' ? rows : null;
    });
    expect(attempts.map((a) => a.status_code)).toEqual([500, 500, 200]);
    expect(attempts[0].error).toBe('HTTP 500');
    const mine = stack.receiver.received.slice(before).filter((r) => JSON.parse(r.body).data.id === checkout.order_id);
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((r) => r.headers['webhook-id'])).size).toBe(1);
    // Only order.paid was subscribed to.
    expect(mine.every((r) => JSON.parse(r.body).type === 'order.paid')).toBe(true);
  });

  it('numbers 50 concurrently paid orders 1..50 with no gap and no duplicate', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'SEQ' });
    const checkouts = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        stack.createCheckout(partner.api_keys.test, { customer: { email: `buyer${i}@example.test` }, partner_order_ref: `R${i}` }),
      ),
    );
    await Promise.all(checkouts.map((c) => stack.emulator.completeCheckoutSession(c.checkout_session_id)));
    const rows = await waitFor('50 invoices', async () => {
      const r = await stack.sql<{ sequence: number; number: string }>(`SELECT sequence, number FROM invoices WHERE partner_id = $1 ORDER BY sequence`, [partner.id]);
      return r.length === 50 ? r : null;
    }, 30_000);
    expect(rows.map((r) => r.sequence)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.number)).size).toBe(50);
  });

  it('keeps each partner and environment to its own orders and invoices', async () => {
    const a = await stack.createPartner({ invoice_prefix: 'AAA' });
    const b = await stack.createPartner({ invoice_prefix: 'BBB' });
    const checkout = await stack.createCheckout(a.api_keys.test);
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const invoiceId = await waitFor('the invoice PDF', async () => {
      const r = await stack.sql<{ id: string }>(`SELECT id FROM invoices WHERE order_id = $1 AND pdf_rendered_at IS NOT NULL`, [checkout.order_id]);
      return r[0]?.id;
    });
    expect((await stack.http('GET', `/v1/orders/${checkout.order_id}`, { token: a.api_keys.test })).status).toBe(200);
    for (const token of [b.api_keys.test, b.api_keys.live, a.api_keys.live]) {
      for (const path of [`/v1/orders/${checkout.order_id}`, `/v1/invoices/${invoiceId}`, `/v1/invoices/${invoiceId}/pdf`]) {
        const res = await stack.http('GET', path, { token });
        expect({ path, status: res.status, code: res.json?.error?.code }).toEqual({ path, status: 404, code: 'not_found' });
      }
    }
    // Endpoints are per environment too: the live key sees none of the staging ones.
    await stack.createEndpoint(a.api_keys.test);
    const live = await stack.http('GET', '/v1/endpoints', { token: a.api_keys.live });
    expect(live.json.data).toEqual([]);
  });
});
