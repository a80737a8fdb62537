import { ConformanceKit, EINVOICING_KIT, fatalOf, kitPresent, pdfStructure } from './support/invoice-conformance';
import { announceSkipped } from './support/optional-tool';
import { pdfText } from './support/pdf-text';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Stripe refunds -> credit notes (type 381), order status, partner messages, emails; idempotent on the refund id. */
describe('refunds and credit notes', () => {
  let stack: TestStack;
  let partner: { id: string; api_keys: { test: string; live: string } };
  const kit = kitPresent ? new ConformanceKit() : null;
  if (!kit) announceSkipped('credit-note conformance checks in refunds', 'the official rule files', `place them in ${EINVOICING_KIT}, see its README`);

  beforeAll(async () => {
    stack = await TestStack.start();
    partner = await stack.createPartner({ invoice_prefix: 'RFD' });
    await stack.createEndpoint(partner.api_keys.test);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const messagesFor = (type: string, orderId: string) =>
    stack.receiver.ofType(type).map((r) => JSON.parse(r.body)).filter((m) => (m.data.order?.id ?? m.data.order_id) === orderId);

  /** A paid order with lines at 20 % and 5.5 %: 2 x 49.90 + 3 x 5.90 = 117.50 €. */
  async function paidOrder() {
    const checkout = await stack.createCheckout(partner.api_keys.test, {
      line_items: [
        { name: 'Lampe Aurore', quantity: 2, unit_amount: 4990, vat_rate: 20 },
        { name: 'Livre de recettes', quantity: 3, unit_amount: 590, vat_rate: 5.5 },
      ],
    });
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const issued = await waitFor('invoice.issued', () => stack.receiver.ofType('invoice.issued').map((r) => JSON.parse(r.body)).find((m) => m.data.order_id === checkout.order_id));
    return { ...checkout, invoiceNumber: issued.data.number as string, invoiceId: issued.data.id as string };
  }

  async function creditNotesOf(orderId: string) {
    return stack.sql<{ id: string; number: string; amount_total: string; lines: { vat_rate: number; unit_amount: number; quantity: number }[]; stripe_refund_id: string; emailed_at: Date | null }>(
      `SELECT id, number, amount_total, lines, stripe_refund_id, emailed_at FROM credit_notes WHERE order_id = $1 ORDER BY sequence`,
      [orderId],
    );
  }

  async function orderOf(orderId: string) {
    return (await stack.http('GET', `/v1/orders/${orderId}`, { token: partner.api_keys.test })).json;
  }

  it('a full refund: order refunded, a credit note repeating the invoice, emailed, announced, Factur-X 381', async () => {
    const order = await paidOrder();
    await stack.emulator.refundCheckoutSession(order.checkout_session_id);

    const refunded = await waitFor('order.refunded', () => messagesFor('order.refunded', order.order_id)[0]);
    expect(refunded.data.order).toMatchObject({ id: order.order_id, status: 'refunded', amount_total: 11750, amount_refunded: 11750 });
    const year = new Date().getFullYear();
    expect(refunded.data.credit_note).toMatchObject({ number: `TEST-RFD-AV-${year}-000001`, amount: 11750 });
    expect(refunded.data.credit_note.stripe_refund_id).toMatch(/^re_/);
    expect(refunded.data.credit_note.pdf_url).toBe(`http://comptappart.test/v1/credit-notes/${refunded.data.credit_note.id}/pdf`);
    const issued = await waitFor('credit_note.issued', () => messagesFor('credit_note.issued', order.order_id)[0]);
    expect(issued.data).toMatchObject({ id: refunded.data.credit_note.id, invoice: { number: order.invoiceNumber }, amount_total: 11750 });
    expect(issued.data.amount_excluding_tax + issued.data.amount_tax).toBe(11750);

    const [cn] = await creditNotesOf(order.order_id);
    expect(cn.lines.map((l) => [l.quantity, l.unit_amount, l.vat_rate])).toEqual([[2, 4990, 20], [3, 590, 5.5]]);
    const mail = await waitFor('the credit note email', () => stack.smtp.messages.find((m) => (m.subject ?? '').includes(cn.number)));
    expect(mail.subject).toContain('avoir');
    expect(mail.attachments[0].filename).toBe(`${cn.number}.pdf`);
    const pdf = await stack.http('GET', `/v1/credit-notes/${cn.id}/pdf`, { token: partner.api_keys.test });
    expect(pdf.status).toBe(200);
    expect(pdf.buffer.equals(mail.attachments[0].content)).toBe(true);
    const text = await pdfText(pdf.buffer);
    expect(text).toContain('Avoir');
    expect(text).toContain(`Avoir sur la facture N° ${order.invoiceNumber}`);
    expect(text).toContain('117,50 €');
    const structure = await pdfStructure(pdf.buffer);
    expect(structure.problems).toEqual([]);
    const xml = structure.embeddedXml!;
    expect(xml).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(xml).toContain(`<ram:IssuerAssignedID>${order.invoiceNumber}</ram:IssuerAssignedID>`);
    expect(xml).toContain('<ram:GrandTotalAmount>117.50</ram:GrandTotalAmount>');
    if (kit) expect(fatalOf(await kit.check(xml))).toEqual([]);
    expect(await orderOf(order.order_id)).toMatchObject({ status: 'refunded' });
  });

  it('two partial refunds: two credit notes in the series, partially_refunded, then refunded when the rest goes back', async () => {
    const order = await paidOrder();
    await stack.emulator.refundCheckoutSession(order.checkout_session_id, { amount: 3000 });
    await waitFor('first order.refunded', () => messagesFor('order.refunded', order.order_id)[0]);
    expect(await orderOf(order.order_id)).toMatchObject({ status: 'partially_refunded' });
    await stack.emulator.refundCheckoutSession(order.checkout_session_id, { amount: 1999 });
    const second = await waitFor('second order.refunded', () => messagesFor('order.refunded', order.order_id)[1]);
    expect(second.data.order).toMatchObject({ status: 'partially_refunded', amount_refunded: 4999 });

    const notes = await creditNotesOf(order.order_id);
    expect(notes.map((n) => Number(n.amount_total))).toEqual([3000, 1999]);
    const sequences = notes.map((n) => Number(n.number.slice(-6)));
    expect(sequences[1]).toBe(sequences[0] + 1);
    // A partial refund is spread over the invoice's VAT rates, in proportion.
    expect(notes[0].lines.map((l) => l.vat_rate)).toEqual([20, 5.5]);
    expect(notes[0].lines.reduce((s, l) => s + l.unit_amount, 0)).toBe(3000);

    await stack.emulator.refundCheckoutSession(order.checkout_session_id);
    const last = await waitFor('third order.refunded', () => messagesFor('order.refunded', order.order_id)[2]);
    expect(last.data.order).toMatchObject({ status: 'refunded', amount_refunded: 11750 });
    // The credit notes give back, per rate, exactly what the invoice charged.
    const all = await creditNotesOf(order.order_id);
    const perRate = (rate: number) => all.flatMap((n) => n.lines).filter((l) => l.vat_rate === rate).reduce((s, l) => s + l.quantity * l.unit_amount, 0);
    expect(perRate(20)).toBe(2 * 4990);
    expect(perRate(5.5)).toBe(3 * 590);
    await waitFor('three credit note emails', () => stack.smtp.messages.filter((m) => all.some((n) => (m.subject ?? '').includes(n.number))).length === 3);
    if (kit) {
      for (const n of all) {
        const pdf = await waitFor('credit note pdf', async () => {
          const res = await stack.http('GET', `/v1/credit-notes/${n.id}/pdf`, { token: partner.api_keys.test });
          return res.status === 200 ? res.buffer : null;
        });
        expect(fatalOf(await kit.check((await pdfStructure(pdf)).embeddedXml!))).toEqual([]);
      }
    }
  });

  it('the same refund reported again (resent, or by another event type) gives no second credit note', async () => {
    const order = await paidOrder();
    const events = await stack.emulator.refundCheckoutSession(order.checkout_session_id, { amount: 500 });
    await waitFor('order.refunded', () => messagesFor('order.refunded', order.order_id)[0]);
    const refund = events.find((e) => e.type === 'refund.created')!.data.object as { id: string };

    // Stripe resends the same events, and also sends refund.updated (a new event id) for the same refund.
    for (const e of events) await stack.emulator.sendEvent(e.id);
    const updated = stack.emulator.buildEvent('refund.updated', refund, false);
    expect((await stack.emulator.sendEvent(updated.id)).status).toBe(200);
    const processed = await waitFor('refund.updated processed', async () => {
      const [row] = await stack.sql<{ status: string; detail: string | null }>(`SELECT status, detail FROM stripe_events WHERE id = $1`, [updated.id]);
      return row && row.status !== 'received' ? row : null;
    });
    expect(processed).toEqual({ status: 'ignored', detail: 'refunds already credited' });

    const notes = await creditNotesOf(order.order_id);
    expect(notes).toHaveLength(1);
    expect(notes[0].stripe_refund_id).toBe(refund.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(messagesFor('order.refunded', order.order_id)).toHaveLength(1);
    const [{ amount_refunded }] = await stack.sql<{ amount_refunded: string }>(`SELECT amount_refunded FROM orders WHERE id = $1`, [order.order_id]);
    expect(Number(amount_refunded)).toBe(500);
  });

  it('a refund that arrives before its payment waits for the invoice, then gives one credit note, one email, one message', async () => {
    const checkout = await stack.createCheckout(partner.api_keys.test);
    stack.emulator.setAutoSend(false);
    const paid = await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const refundEvents = await stack.emulator.refundCheckoutSession(checkout.checkout_session_id);
    stack.emulator.setAutoSend(true);
    const chargeRefunded = refundEvents.find((e) => e.type === 'charge.refunded')!;
    const eventRow = async (id: string) => (await stack.sql<{ status: string; detail: string | null }>('SELECT status, detail FROM stripe_events WHERE id = $1', [id]))[0];

    // Stripe sends events in any order: here the refund before the payment, so no invoice exists yet.
    for (const e of refundEvents) expect((await stack.emulator.sendEvent(e.id)).status).toBe(200);
    const parked = await waitFor('the refund parked', async () => {
      const row = await eventRow(chargeRefunded.id);
      return row?.status === 'waiting' ? row : null;
    });
    expect(parked.detail).toMatch(/no invoice to credit yet/);
    expect(await creditNotesOf(checkout.order_id)).toEqual([]);
    expect((await stack.http('GET', '/admin/overview', { token: 'test-admin-token-0123456789' })).json.refunds_waiting_for_invoice).toBeGreaterThanOrEqual(1);

    for (const e of paid) expect((await stack.emulator.sendEvent(e.id)).status).toBe(200);
    const refunded = await waitFor('order.refunded', () => messagesFor('order.refunded', checkout.order_id)[0]);
    expect(refunded.data.order).toMatchObject({ status: 'refunded', amount_refunded: refunded.data.order.amount_total });
    await waitFor('the parked refund processed', async () => (await eventRow(chargeRefunded.id)).status === 'processed');
    const [note] = await creditNotesOf(checkout.order_id);
    await waitFor('the credit note emailed', async () => (await creditNotesOf(checkout.order_id))[0].emailed_at);
    await waitFor('credit_note.issued', () => messagesFor('credit_note.issued', checkout.order_id)[0]);

    // Exactly once: Stripe delivers the refund again; once that is recorded as already credited, count.
    const again = await stack.emulator.sendEvent(chargeRefunded.id);
    expect(again.status).toBe(200);
    const resent = stack.emulator.buildEvent('charge.refunded', chargeRefunded.data.object, false);
    await stack.emulator.sendEvent(resent.id);
    await waitFor('the resent refund recorded', async () => (await eventRow(resent.id))?.status === 'ignored');
    expect(await creditNotesOf(checkout.order_id)).toHaveLength(1);
    expect(stack.smtp.messages.filter((m) => (m.subject ?? '').includes(note.number))).toHaveLength(1);
    expect(messagesFor('order.refunded', checkout.order_id)).toHaveLength(1);
    expect(messagesFor('credit_note.issued', checkout.order_id)).toHaveLength(1);
  });

  it('refunds of one partner never use another partner’s series, nor the production series', async () => {
    const other = await stack.createPartner({ invoice_prefix: 'OTH' });
    const checkout = await stack.createCheckout(other.api_keys.test);
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    await waitFor('invoice', async () => (await stack.sql(`SELECT 1 FROM invoices WHERE order_id = $1 AND pdf_rendered_at IS NOT NULL`, [checkout.order_id]))[0]);
    await stack.emulator.refundCheckoutSession(checkout.checkout_session_id, { amount: 100 });
    const [cn] = await waitFor('credit note', () => creditNotesOf(checkout.order_id));
    expect(cn.number).toBe(`TEST-OTH-AV-${new Date().getFullYear()}-000001`);
    const production = await stack.sql(`SELECT 1 FROM invoice_sequences WHERE environment = 'production'`);
    expect(production).toEqual([]);
  });
});
