import { ConformanceKit, EINVOICING_KIT, fatalOf, kitPresent, pdfStructure, writeFirstPagePng } from './support/invoice-conformance';
import { announceSkipped } from './support/optional-tool';
import { logoPng, TINY_JPEG } from './support/invoice-images';
import { pdfText } from './support/pdf-text';
import { ADMIN_TOKEN, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

const LEGAL = {
  legal_form: 'SAS',
  share_capital: 1_500_000,
  rcs_city: 'Paris',
  siret: '12345678900021',
  late_penalty_rate: 10,
};

/** Partner legal fields through the operator API, and the invoices they produce for business and private buyers. */
describe('legal invoices', () => {
  let stack: TestStack;
  const kit = kitPresent ? new ConformanceKit() : null;
  if (!kit) announceSkipped('invoice conformance checks in legal invoices', 'the official rule files', `place them in ${EINVOICING_KIT}, see its README`);

  beforeAll(async () => {
    stack = await TestStack.start();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const admin = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => stack.http(method, path, { token: ADMIN_TOKEN, body, headers });

  async function putLogo(id: string, bytes: Buffer, contentType: string) {
    const res = await fetch(`${stack.apiUrl}/admin/partners/${id}/logo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': contentType },
      body: new Uint8Array(bytes),
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  async function invoicePdf(token: string, body: Record<string, unknown>) {
    const checkout = await stack.createCheckout(token, body);
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const order = await waitFor('the invoice PDF', async () => {
      const res = await stack.http('GET', `/v1/orders/${checkout.order_id}`, { token });
      if (!res.json?.invoice) return null;
      const pdf = await stack.http('GET', `/v1/invoices/${res.json.invoice.id}/pdf`, { token });
      return pdf.status === 200 ? { order: res.json, pdf: pdf.buffer } : null;
    });
    return { ...order, checkout };
  }

  it('the operator sets legal fields at creation and with PATCH, validated, and can disable a partner', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'LEG', ...LEGAL });
    const got = await admin('GET', `/admin/partners/${partner.id}`);
    expect(got.json).toMatchObject({ ...LEGAL, prices_include_tax: true, vat_exemption_text: null });

    const patched = await admin('PATCH', `/admin/partners/${partner.id}`, { prices_include_tax: false, vat_exemption_text: 'TVA non applicable, art. 293 B du CGI', rcs_city: null });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ prices_include_tax: false, rcs_city: null, legal_form: 'SAS' });

    const badSiret = await admin('PATCH', `/admin/partners/${partner.id}`, { siret: '99999999900011' });
    expect(badSiret.status).toBe(400);
    expect(badSiret.json.error.details).toEqual([{ field: 'siret', message: "must start with the partner's SIREN 123456789" }]);
    const unknown = await admin('PATCH', `/admin/partners/${partner.id}`, { share_capital: -1, colour: 'red' });
    expect(unknown.status).toBe(400);
    expect((await admin('PATCH', `/admin/partners/${partner.id}`, {})).status).toBe(400);
    expect((await admin('PATCH', '/admin/partners/par_nope', { name: 'X' })).status).toBe(404);

    expect((await admin('PATCH', `/admin/partners/${partner.id}`, { disabled: true })).json.disabled).toBe(true);
    const refused = await stack.http('GET', '/v1/endpoints', { token: partner.api_keys.test });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('partner_disabled');
    expect((await admin('PATCH', `/admin/partners/${partner.id}`, { disabled: false })).json.disabled).toBe(false);
    expect((await stack.http('GET', '/v1/endpoints', { token: partner.api_keys.test })).status).toBe(200);
  });

  it('takes a PNG or JPEG logo checked by its bytes, and refuses anything else or too large', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'LOGO' });
    const png = await putLogo(partner.id, logoPng(), 'image/png');
    expect(png).toMatchObject({ status: 200, json: { content_type: 'image/png' } });
    expect((await putLogo(partner.id, TINY_JPEG, 'image/jpeg')).json.content_type).toBe('image/jpeg');
    expect((await putLogo(partner.id, TINY_JPEG, 'image/png')).status).toBe(400);
    const gif = await putLogo(partner.id, Buffer.from('GIF89a....'), 'image/png');
    expect(gif.status).toBe(400);
    expect(gif.json.error.details[0].message).toBe('is neither a PNG nor a JPEG image');
    expect((await putLogo(partner.id, Buffer.from('GIF89a'), 'image/gif')).status).toBe(415);
    expect((await putLogo(partner.id, Buffer.concat([logoPng(), Buffer.alloc(600 * 1024)]), 'image/png')).status).toBe(413);
    expect((await putLogo('par_missing', logoPng(), 'image/png')).status).toBe(404);
  });

  it('a business buyer, VAT-exclusive prices: every mandatory mention, and Stripe charged the invoice total', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'B2B', ...LEGAL, prices_include_tax: false });
    await putLogo(partner.id, logoPng(), 'image/png');
    const { order, pdf, checkout } = await invoicePdf(partner.api_keys.test, {
      customer: {
        email: 'achats@durand.test',
        name: 'Paul Durand',
        address: { line1: '3 avenue Foch', postal_code: '69006', city: 'Lyon', country: 'FR' },
        company: { name: 'Durand et Fils SARL', vat_number: 'FR45987654321', siren: '987654321' },
      },
      line_items: [
        { name: 'Audit énergétique', quantity: 1, unit_amount: 125_000, vat_rate: 20 },
        { name: 'Rapport imprimé', quantity: 3, unit_amount: 999, vat_rate: 5.5 },
      ],
    });
    // 1 250,00 + 250,00 VAT; 29,97 + 1,65 VAT = 1 531,62 € charged by Stripe.
    expect(order.amount_total).toBe(153_162);
    const completed = stack.emulator.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === checkout.checkout_session_id);
    expect((completed!.data.object as { amount_total: number }).amount_total).toBe(153_162);
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    await writeFirstPagePng(pdf, 'e2e-invoice-b2b');
    for (const mention of [
      'Facture', "Date d'émission", order.invoice.number, 'Atelier Lumière SAS', 'SAS au capital de 15 000,00 €', '12 rue des Lilas', '75011 Paris',
      'SIRET : 12345678900021', 'RCS Paris 123 456 789', 'N° TVA intracommunautaire : FR12123456789',
      'Facture émise par ComptAppart au nom et pour le compte de Atelier Lumière SAS',
      'Durand et Fils SARL', 'Paul Durand', '3 avenue Foch', '69006 Lyon', 'SIREN : 987654321', 'FR45987654321',
      'Audit énergétique', 'Rapport imprimé', 'PU HT', '1 250,00 €', '9,99 €', '20 %', '5,5 %',
      'Base HT', 'Montant TVA', '250,00 €', '1,65 €', 'Total HT', '1 279,97 €', 'Total TTC', '1 531,62 €',
      'Payée le', 'par carte', 'Pénalités de retard : taux annuel de 10 %',
      'Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40,00 €', 'Pas d’escompte pour paiement anticipé', 'Page 1 / 1',
    ]) expect(text).toContain(mention);

    const { embeddedXml, problems } = await pdfStructure(pdf);
    expect(problems).toEqual([]);
    expect(embeddedXml).toContain('<ram:GrandTotalAmount>1531.62</ram:GrandTotalAmount>');
    expect(embeddedXml).toContain('<ram:TaxBasisTotalAmount>1279.97</ram:TaxBasisTotalAmount>');
    expect(embeddedXml).toContain('<ram:ID schemeID="VA">FR45987654321</ram:ID>');
    expect(embeddedXml).toContain('<ram:SubjectCode>PMT</ram:SubjectCode>');
    if (kit) expect(fatalOf(await kit.check(embeddedXml!))).toEqual([]);
  });

  it("each invoice carries its partner's logo as it is when rendered, and its order's reference", async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'LOG', ...LEGAL });
    // The PDF's image XObject states the logo's size in its (uncompressed) dictionary.
    const imageSize = (pdf: Buffer) => /\/Subtype \/Image[^>]*?\/Width (\d+)|\/Width (\d+)[^>]*?\/Subtype \/Image/.exec(pdf.toString('latin1'))?.slice(1).find(Boolean);
    expect((await putLogo(partner.id, logoPng(120, 40), 'image/png')).status).toBe(200);
    const first = await invoicePdf(partner.api_keys.test, { partner_order_ref: 'CMD-2026-0042' });
    expect(imageSize(first.pdf)).toBe('120');
    expect((await pdfText(first.pdf)).replace(/\s+/g, ' ')).toContain('Référence commande : CMD-2026-0042');
    // Replaced: the next invoice has the new one, though the worker has just drawn the old.
    expect((await putLogo(partner.id, logoPng(90, 30), 'image/png')).status).toBe(200);
    const second = await invoicePdf(partner.api_keys.test, { partner_order_ref: 'CMD-2026-0043' });
    expect(imageSize(second.pdf)).toBe('90');
    expect((await pdfText(second.pdf)).replace(/\s+/g, ' ')).toContain('Référence commande : CMD-2026-0043');
  });

  it('a private buyer: the B2C mentions, and none of the business ones', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'B2C', ...LEGAL });
    const { order, pdf } = await invoicePdf(partner.api_keys.test, {});
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    for (const mention of [
      'Facture', order.invoice.number, "Date d'émission", 'Atelier Lumière SAS', 'SIRET : 12345678900021', 'N° TVA intracommunautaire : FR12123456789',
      'Facture émise par ComptAppart au nom et pour le compte de Atelier Lumière SAS', 'Camille Martin', 'camille@example.test',
      'Lampe Aurore', 'Ampoule LED', 'PU HT', 'Base HT', 'Montant TVA', 'Total HT', 'Total TTC', '117,50 €', 'Payée le', 'par carte',
    ]) expect(text).toContain(mention);
    expect(text).not.toContain('Pénalités de retard');
    expect(text).not.toContain('40,00 €');
    if (kit) expect(fatalOf(await kit.check((await pdfStructure(pdf)).embeddedXml!))).toEqual([]);
  });

  it('an English order gets an English invoice with English amounts and dates', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'ENG' });
    const { pdf } = await invoicePdf(partner.api_keys.test, { locale: 'en' });
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    expect(text).toContain('Invoice issued by ComptAppart in the name and on behalf of Atelier Lumière SAS');
    expect(text).toContain('€117.50');
    expect(text).toMatch(/Paid on \d{1,2} [A-Z][a-z]+ \d{4} by card/);
    expect(text).not.toContain('Facture');
  });
});
