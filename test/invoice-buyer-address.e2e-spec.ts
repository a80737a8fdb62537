import { ConformanceKit, EINVOICING_KIT, fatalOf, kitPresent } from './support/invoice-conformance';
import { announceSkipped } from './support/optional-tool';
import { pdfStructure } from './support/pdf-structure';
import { pdfText } from './support/pdf-text';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** The address a customer types on Stripe Checkout's page, in the Stripe wire shape. */
const LYON = { line1: '8 rue de la République', line2: null, postal_code: '69002', city: 'Lyon', country: 'FR', state: null };

/** The buyer's PostalTradeAddress (BG-8) of a CII document, or null. */
function buyerAddressXml(xml: string): string | null {
  return /<ram:BuyerTradeParty>.*?(<ram:PostalTradeAddress>.*?<\/ram:PostalTradeAddress>)/s.exec(xml)?.[1] ?? null;
}

/** Invoices and credit notes state the buyer's address Stripe collected when the partner gave none; the partner's wins. */
describe('the buyer address on invoices and credit notes', () => {
  let stack: TestStack;
  let partner: { id: string; api_keys: { test: string; live: string } };
  const kit = kitPresent ? new ConformanceKit() : null;
  if (!kit) announceSkipped('conformance of the invoices with a collected address', 'the official rule files', `place them in ${EINVOICING_KIT}, see its README`);

  beforeAll(async () => {
    stack = await TestStack.start();
    partner = await stack.createPartner({ invoice_prefix: 'ADR' });
    await stack.createEndpoint(partner.api_keys.test);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const token = () => partner.api_keys.test;

  /** A checkout completed with `address` typed on Checkout's page; the issued invoice's PDF text and embedded XML. */
  async function invoiceOf(body: Record<string, unknown>) {
    const checkout = await stack.createCheckout(token(), body);
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id, { address: LYON });
    const pdf = await waitFor('the invoice PDF', async () => {
      const order = await stack.http('GET', `/v1/orders/${checkout.order_id}`, { token: token() });
      if (!order.json?.invoice) return null;
      const res = await stack.http('GET', `/v1/invoices/${order.json.invoice.id}/pdf`, { token: token() });
      return res.status === 200 ? res.buffer : null;
    });
    return { checkout, ...(await read(pdf)) };
  }

  async function read(pdf: Buffer) {
    const structure = await pdfStructure(pdf);
    expect(structure.problems).toEqual([]);
    const xml = structure.embeddedXml!;
    // XSD, EN 16931 and Factur-X Schematron: the address must not cost the document its conformance.
    if (kit) expect(fatalOf(await kit.check(xml))).toEqual([]);
    return { text: (await pdfText(pdf)).replace(/\s+/g, ' '), xml };
  }

  it('a B2C checkout whose address Stripe collected in Lyon: on the invoice PDF and its XML, then on the credit note', async () => {
    const { checkout, text, xml } = await invoiceOf({ customer: { email: 'camille@example.test', name: 'Camille Martin' } });
    expect(text).toContain('Camille Martin 8 rue de la République 69002 Lyon');
    expect(buyerAddressXml(xml)).toBe(
      '<ram:PostalTradeAddress><ram:PostcodeCode>69002</ram:PostcodeCode><ram:LineOne>8 rue de la République</ram:LineOne>' +
        '<ram:CityName>Lyon</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>',
    );

    await stack.emulator.refundCheckoutSession(checkout.checkout_session_id);
    const creditNote = await waitFor('the credit note PDF', async () => {
      const [row] = await stack.sql<{ id: string }>('SELECT id FROM credit_notes WHERE order_id = $1 AND pdf_rendered_at IS NOT NULL', [checkout.order_id]);
      if (!row) return null;
      const res = await stack.http('GET', `/v1/credit-notes/${row.id}/pdf`, { token: token() });
      return res.status === 200 ? res.buffer : null;
    });
    const cn = await read(creditNote);
    expect(cn.text).toContain('Avoir');
    expect(cn.text).toContain('8 rue de la République 69002 Lyon');
    expect(cn.xml).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(buyerAddressXml(cn.xml)).toContain('<ram:LineOne>8 rue de la République</ram:LineOne><ram:CityName>Lyon</ram:CityName>');
  });

  it('an address the partner gave wins over the one Stripe collected', async () => {
    const { text, xml } = await invoiceOf({
      customer: {
        email: 'paul@example.test',
        name: 'Paul Durand',
        address: { line1: '14 quai des Chartrons', postal_code: '33000', city: 'Bordeaux', country: 'FR' },
      },
    });
    expect(text).toContain('14 quai des Chartrons 33000 Bordeaux');
    expect(text).not.toContain('Lyon');
    expect(buyerAddressXml(xml)).toContain('<ram:PostcodeCode>33000</ram:PostcodeCode><ram:LineOne>14 quai des Chartrons</ram:LineOne><ram:CityName>Bordeaux</ram:CityName>');
  });

  it('a checkout where Stripe collected no address keeps the buyer placed in the seller country only', async () => {
    const checkout = await stack.createCheckout(token(), { customer: { email: 'lea@example.test', name: 'Léa Petit' } });
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const pdf = await waitFor('the invoice PDF', async () => {
      const order = await stack.http('GET', `/v1/orders/${checkout.order_id}`, { token: token() });
      if (!order.json?.invoice) return null;
      const res = await stack.http('GET', `/v1/invoices/${order.json.invoice.id}/pdf`, { token: token() });
      return res.status === 200 ? res.buffer : null;
    });
    const { xml } = await read(pdf);
    expect(buyerAddressXml(xml)).toBe('<ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>');
  });
});
