import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import { AppConfig } from '@app/config';
import { PartnerReceiver } from '@app/dev-servers';
import { htmlWithInlineParts, playwright, RawSmtpCatcher, renderEmail } from './support/email-capture';
import { logoPng } from './support/invoice-images';
import { announceSkipped } from './support/optional-tool';
import { ADMIN_TOKEN, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

// The DNS lookup goes to a resolver of our own; mailauth's index also loads BIMI's HTTP client, not needed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { dkimVerify } = require('mailauth/lib/dkim/verify') as { dkimVerify: (raw: Buffer, opts: object) => Promise<{ results: { status: { result: string }; signingDomain: string }[] }> };

const DKIM_DOMAIN = 'comptappart.test';
const DKIM_SELECTOR = 'mail2026';
const DOCS_IMG = join(__dirname, '..', 'docs-site', 'static', 'img');

/**
 * Issue 17: what the customer receives with an invoice, a credit note or an invoice sent again (HTML and
 * text, French and English, the same amounts as the invoice, the PDF, the logo inline, DKIM-signed), and the
 * partner's endpoint-disabled notice; each HTML part opened in Chromium at desktop and phone widths.
 */
describe('customer emails (HTML + text, DKIM)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const dnsRecord = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  const resolver = async (name: string, type: string) => {
    if (type === 'TXT' && name === `${DKIM_SELECTOR}._domainkey.${DKIM_DOMAIN}`) return [[dnsRecord]];
    throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
  };
  const smtp = new RawSmtpCatcher();
  let stack: TestStack;
  let token: string;
  if (!playwright) announceSkipped('email rendering in Chromium (screenshots, phone width, remote requests)', 'chromium and playwright-core', 'apt-get install -y chromium');

  beforeAll(async () => {
    const smtpUrl = await smtp.start();
    // One-line PEM, as an env file would carry it.
    stack = await TestStack.start({ env: { SMTP_URL: smtpUrl, DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY: pem.trim().replace(/\n/g, '\\n') } });
    const partner = await stack.createPartner({ invoice_prefix: 'EML' });
    token = partner.api_keys.test;
    const logo = await fetch(`${stack.apiUrl}/admin/partners/${partner.id}/logo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'image/png' },
      body: logoPng(),
    });
    expect(logo.status).toBe(200);
    await stack.createEndpoint(token);
  });

  afterAll(async () => {
    await stack?.stop();
    await smtp.stop();
  });

  async function paidInvoice(body: Record<string, unknown> = {}) {
    const checkout = await stack.createCheckout(token, {
      line_items: [
        { name: 'Lampe Aurore — édition « atelier » très longue désignation pour un petit écran', quantity: 2, unit_amount: 4990, vat_rate: 20 },
        { name: 'Livre de recettes', quantity: 3, unit_amount: 590, vat_rate: 5.5 },
      ],
      ...body,
    });
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const [invoice] = await waitFor('the invoice', () =>
      stack.sql<{ id: string; number: string; amount_total: string; amount_excluding_tax: string; amount_tax: string }>(
        'SELECT id, number, amount_total, amount_excluding_tax, amount_tax FROM invoices WHERE order_id = $1',
        [checkout.order_id],
      ),
    );
    return { ...checkout, invoice };
  }

  const mailWith = (what: string, pick: (m: ParsedMail) => boolean) => waitFor(what, () => smtp.find(pick), 20_000);

  async function expectSigned(raw: Buffer) {
    const { results } = await dkimVerify(raw, { resolver });
    expect(results.map((r) => [r.signingDomain, r.status.result])).toEqual([[DKIM_DOMAIN, 'pass']]);
  }

  /** Both parts, the amounts as the invoice row has them, written the way the order's language writes money. */
  function expectAmounts(mail: ParsedMail, locale: 'fr' | 'en', row: { amount_total: string; amount_excluding_tax: string; amount_tax: string }) {
    const money = (v: string) => new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(Number(v) / 100);
    for (const part of [mail.text!, String(mail.html)]) {
      expect(part).toContain(money(row.amount_total));
      expect(part).toContain(money(row.amount_excluding_tax));
    }
    // The VAT of each rate, which add up to the row's VAT.
    const vat = [...mail.text!.matchAll(/(?:TVA|VAT) [\d.,\s\u202f\u00a0]+\s?% (?:sur|on) [^:]+:\s?(.+)/g)].map((m) => m[1]);
    const sum = vat.map((v) => Number(v.replace(/[^\d]/g, ''))).reduce((a, b) => a + b, 0);
    expect(vat).toHaveLength(2);
    expect(sum).toBe(Number(row.amount_tax));
  }

  async function expectRendersWell(mail: ParsedMail, name: string): Promise<Record<number, Buffer> | null> {
    if (!playwright) return null;
    const html = htmlWithInlineParts(mail);
    expect(html).not.toContain('cid:');
    const render = await renderEmail(html, name);
    expect(render.remoteRequests).toEqual([]);
    expect(render.scrollWidth[390]).toBeLessThanOrEqual(390);
    expect(render.scrollWidth[1024]).toBeLessThanOrEqual(1024);
    const dark = await renderEmail(html, name, [390], 'dark');
    expect(dark.remoteRequests).toEqual([]);
    return render.screenshots;
  }

  function expectStructure(raw: Buffer, mail: ParsedMail) {
    const head = raw.toString('latin1');
    expect(head).toMatch(/Content-Type: multipart\/mixed/i);
    expect(head).toMatch(/Content-Type: multipart\/alternative/i);
    expect(head).toMatch(/Content-Type: multipart\/related/i);
    expect(mail.text!.length).toBeGreaterThan(100);
    expect(String(mail.html)).toMatch(/<html lang="(fr|en)"/);
    expect(String(mail.html)).toContain('name="color-scheme"');
    expect(String(mail.html)).toContain('prefers-color-scheme: dark');
    expect(String(mail.html)).not.toMatch(/<link\b|src="https?:|@import|fonts\.googleapis/);
    const logo = mail.attachments.find((a) => a.contentType === 'image/png');
    expect(logo?.cid).toBe('partner-logo@comptappart');
    expect(String(mail.html)).toMatch(/<img src="cid:partner-logo@comptappart" alt="Atelier Lumière SAS"/);
  }

  it('invoice in French: HTML and text, the invoice amounts, logo inline, PDF attached, DKIM pass, fits a phone', async () => {
    const { invoice } = await paidInvoice();
    const { raw, mail } = await mailWith('the French invoice email', (m) => (m.subject ?? '').includes(invoice.number));
    expect(mail.subject).toBe(`[TEST] Votre facture ${invoice.number} – Atelier Lumière SAS`);
    // Exactly once across retries: the Message-ID is the invoice's own.
    expect(mail.messageId).toBe(`<${invoice.id}@comptappart.test>`);
    expect(mail.replyTo?.value[0].address).toBe('compta@atelier-lumiere.test');
    expectStructure(raw, mail);
    expectAmounts(mail, 'fr', invoice);
    for (const part of [mail.text!, String(mail.html)]) {
      expect(part).toContain('TEST — sans valeur fiscale');
      expect(part).toContain('Payée le');
      expect(part).toContain('par carte');
      expect(part).toContain('au nom et pour le compte de Atelier Lumière SAS');
      expect(part).toContain('compta@atelier-lumiere.test');
      expect(part).toContain(`${invoice.number}.pdf`);
    }
    // The name goes in escaped: « » and the em dash stay text, no markup comes from data.
    expect(String(mail.html)).toContain('Lampe Aurore — édition « atelier »');
    const pdf = await stack.http('GET', `/v1/invoices/${invoice.id}/pdf`, { token });
    const attached = mail.attachments.find((a) => a.filename === `${invoice.number}.pdf`)!;
    expect(attached.contentType).toBe('application/pdf');
    expect(attached.content.equals(pdf.buffer)).toBe(true);
    await expectSigned(raw);
    const shots = await expectRendersWell(mail, 'invoice-fr');
    if (shots && process.env.UPDATE_DOCS_SCREENSHOTS) writeDocsScreenshot('customer-email-fr.png', shots[390]);
  });

  it('invoice in English, from the order locale', async () => {
    const { invoice } = await paidInvoice({ locale: 'en' });
    const { raw, mail } = await mailWith('the English invoice email', (m) => (m.subject ?? '').includes(invoice.number));
    expect(mail.subject).toBe(`[TEST] Your invoice ${invoice.number} from Atelier Lumière SAS`);
    expectStructure(raw, mail);
    expect(String(mail.html)).toContain('<html lang="en"');
    expectAmounts(mail, 'en', invoice);
    for (const part of [mail.text!, String(mail.html)]) {
      expect(part).toContain('TEST — no fiscal value');
      expect(part).toContain('Paid on');
      expect(part).toContain('in the name and on behalf of Atelier Lumière SAS');
    }
    await expectSigned(raw);
    const shots = await expectRendersWell(mail, 'invoice-en');
    if (shots && process.env.UPDATE_DOCS_SCREENSHOTS) writeDocsScreenshot('customer-email-en.png', shots[390]);
  });

  it('credit note: its amounts, the invoice it corrects, the PDF, DKIM pass', async () => {
    const { invoice, checkout_session_id } = await paidInvoice();
    await stack.emulator.refundCheckoutSession(checkout_session_id);
    const [cn] = await waitFor('the credit note', () =>
      stack.sql<{ number: string; amount_total: string; amount_excluding_tax: string; amount_tax: string }>(
        'SELECT number, amount_total, amount_excluding_tax, amount_tax FROM credit_notes WHERE invoice_id = $1',
        [invoice.id],
      ),
    );
    const { raw, mail } = await mailWith('the credit note email', (m) => (m.subject ?? '').includes(cn.number));
    expect(mail.subject).toBe(`[TEST] Votre avoir ${cn.number} – Atelier Lumière SAS`);
    expectStructure(raw, mail);
    expectAmounts(mail, 'fr', cn);
    for (const part of [mail.text!, String(mail.html)]) {
      expect(part).toContain(`Avoir sur la facture N° ${invoice.number}`);
      expect(part).toContain('Remboursé le');
      expect(part).toContain('Avoir émis par');
    }
    expect(mail.attachments.find((a) => a.filename === `${cn.number}.pdf`)?.contentType).toBe('application/pdf');
    await expectSigned(raw);
    await expectRendersWell(mail, 'credit-note-fr');
  });

  it('invoice sent again to an accountant: the same HTML email, a new Message-ID, signed', async () => {
    const { invoice } = await paidInvoice({ locale: 'en' });
    await mailWith('the first email', (m) => (m.subject ?? '').includes(invoice.number));
    const sent = await stack.http('POST', `/v1/invoices/${invoice.id}/send`, { token, body: { to: 'expert-comptable@example.test' } });
    expect(sent.status).toBe(200);
    const { raw, mail } = await mailWith('the email sent again', (m) => m.messageId === sent.json.message_id);
    expect(mail.to).toMatchObject({ value: [{ address: 'expert-comptable@example.test' }] });
    expect(mail.messageId).not.toBe(`<${invoice.id}@comptappart.test>`);
    expectStructure(raw, mail);
    expectAmounts(mail, 'en', invoice);
    await expectSigned(raw);
    await expectRendersWell(mail, 'invoice-resent-en');
  });

  it('endpoint disabled: the partner is told what happened, what waits and the call that enables it again', async () => {
    const gone = new PartnerReceiver();
    const url = await gone.start();
    try {
      gone.respondWith(410);
      const partner = await stack.createPartner({ invoice_prefix: 'GON' });
      const endpoint = await stack.createEndpoint(partner.api_keys.test, url);
      const checkout = await stack.createCheckout(partner.api_keys.test);
      await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
      const { raw, mail } = await mailWith('the endpoint-disabled notice', (m) => (m.text ?? '').includes(endpoint.id));
      expect(mail.subject).toMatch(/désactivé|disabled/);
      const call = `curl -X POST http://comptappart.test/v1/endpoints/${endpoint.id}/enable`;
      for (const part of [mail.text!, String(mail.html)]) {
        expect(part).toContain('410 Gone');
        expect(part).toContain(url);
        expect(part).toMatch(/message\(s\) en attente sont conservés/);
        expect(part).toMatch(/waiting message\(s\) are kept/);
        expect(part).toContain(call);
        expect(part).toContain('Bearer ca_test_…');
        expect(part).toContain('http://comptappart.test/portal/');
      }
      expect(String(mail.html)).toMatch(/<html lang="fr"/);
      await expectSigned(raw);
      await expectRendersWell(mail, 'endpoint-disabled');
    } finally {
      await gone.stop();
    }
  });

  it('refuses to start with part of the DKIM settings, naming them', () => {
    expect(() => AppConfig.fromEnv({ DKIM_DOMAIN })).toThrow(/DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY go together/);
    expect(() => AppConfig.fromEnv({ DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY: 'not a key' })).toThrow(/DKIM_PRIVATE_KEY: must be a PEM private key/);
    const config = AppConfig.fromEnv({ DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY: pem.trim().replace(/\n/g, '\\n') });
    expect(config.dkim?.privateKey).toBe(pem.trim());
  });
});

function writeDocsScreenshot(file: string, png: Buffer) {
  mkdirSync(DOCS_IMG, { recursive: true });
  writeFileSync(join(DOCS_IMG, file), png);
}
