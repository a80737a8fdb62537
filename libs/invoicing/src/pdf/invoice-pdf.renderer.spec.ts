import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { InvoiceDocument } from './invoice-document';
import { InvoicePdfRenderer, renderInvoicePdf } from './invoice-pdf.renderer';

const ARTIFACTS = join(__dirname, '../../../../test-artifacts');

function invoice(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    kind: 'invoice',
    number: 'ACME-2026-000042',
    environment: 'production',
    locale: 'fr',
    currency: 'eur',
    issuedAt: new Date('2026-11-21T10:15:00Z'),
    paidAt: new Date('2026-11-21T10:14:00Z'),
    paymentMethod: 'card',
    platformName: 'ComptAppart',
    seller: {
      legal_name: 'Acme Conciergerie SAS',
      address: { line1: '12 rue de la Paix', line2: 'Bâtiment B', postal_code: '75002', city: 'Paris', country: 'FR' },
      siren: '123456789',
      vat_number: 'FR32123456789',
      email: 'factures@acme.example',
    },
    buyer: { name: 'Élodie Martin', email: 'elodie@example.com' },
    lines: [
      { name: 'Nuitée appartement Montmartre', quantity: 3, unit_amount: 35_000, vat_rate: 10 },
      { name: 'Ménage de fin de séjour', quantity: 1, unit_amount: 6_000, vat_rate: 20 },
      { name: 'Petit-déjeuner', quantity: 4, unit_amount: 1_055, vat_rate: 5.5 },
    ],
    orderReference: 'RES-8841',
    ...overrides,
  };
}

/** Intl's French amounts use U+202F / U+00A0; extraction may also split or join runs differently. */
const normalize = (text: string) => text.replace(/\s+/g, ' ');

async function textOf(pdf: Buffer): Promise<{ text: string; pages: number }> {
  const { PDFParse } = await import('pdf-parse');
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const result = await parser.getText();
    return { text: normalize(result.text), pages: result.total };
  } finally {
    await parser.destroy();
  }
}

/** For a human to look at; skipped quietly where poppler is not installed. */
async function writePreview(pdf: Buffer, name: string): Promise<void> {
  const run = promisify(execFile);
  try {
    await run('which', ['pdftoppm']);
  } catch {
    return;
  }
  await mkdir(ARTIFACTS, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'invoice-'));
  try {
    const source = join(dir, 'invoice.pdf');
    await writeFile(source, pdf);
    await run('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', '-singlefile', source, join(ARTIFACTS, name)]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('InvoicePdfRenderer', () => {
  const sut = new InvoicePdfRenderer();

  it('renders a French invoice with the seller, totals and legal mentions', async () => {
    const pdf = await sut.render(invoice());
    await writePreview(pdf, 'invoice-fr-production');
    const { text, pages } = await textOf(pdf);

    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pages).toBe(1);
    expect(text).toContain('Facture');
    expect(text).toContain('ACME-2026-000042');
    expect(text).toContain('Acme Conciergerie SAS');
    expect(text).toContain('123456789');
    expect(text).toContain('FR32123456789');
    expect(text).toContain('Élodie Martin');
    expect(text).toContain('RES-8841');
    expect(text).toContain('21 novembre 2026');
    // 3 x 350,00 + 60,00 + 4 x 10,55 = 1 152,20 € charged.
    expect(text).toContain('1 152,20 €');
    expect(text).toContain('Total TTC');
    expect(text).toContain('5,5 %');
    expect(text).toContain('Payée le 21 novembre 2026 par carte');
    expect(text).toContain('Facture émise par ComptAppart au nom et pour le compte de Acme Conciergerie SAS');
    expect(text).toContain('Page 1 / 1');
    expect(text).not.toContain('293 B');
    expect(text).not.toContain('TEST');
  });

  it('marks every page of a staging invoice as having no fiscal value', async () => {
    const pdf = await sut.render(invoice({ environment: 'staging', number: 'TEST-ACME-2026-000001' }));
    await writePreview(pdf, 'invoice-fr-staging');
    const { text } = await textOf(pdf);

    expect(text).toContain('TEST-ACME-2026-000001');
    expect(text).toContain('TEST — sans valeur fiscale');
  });

  it('uses English labels, amounts and dates for locale en', async () => {
    const pdf = await sut.render(invoice({ locale: 'en', environment: 'staging', paymentMethod: 'sepa_debit' }));
    await writePreview(pdf, 'invoice-en-staging');
    const { text } = await textOf(pdf);

    expect(text).toContain('Invoice');
    expect(text).toContain('Total incl. VAT');
    expect(text).toContain('€1,152.20');
    expect(text).toContain('Paid on 21 November 2026 by SEPA direct debit');
    expect(text).toContain('Invoice issued by ComptAppart in the name and on behalf of Acme Conciergerie SAS');
    expect(text).toContain('TEST — no fiscal value');
    expect(text).not.toContain('Facture');
  });

  it('prints the art. 293 B mention when a line carries no VAT', async () => {
    const lines = [{ name: 'Frais de dossier', quantity: 1, unit_amount: 2_500, vat_rate: 0 }];
    const fr = await textOf(await sut.render(invoice({ lines, seller: { ...invoice().seller, vat_number: null } })));
    const en = await textOf(await sut.render(invoice({ lines, locale: 'en' })));

    expect(fr.text).toContain('TVA non applicable, art. 293 B du CGI');
    expect(en.text).toContain('VAT not applicable, art. 293 B of the French CGI');
  });

  it('names an unknown payment method as Stripe does, and leaves out what is missing', async () => {
    const { text } = await textOf(
      await sut.render(invoice({ paymentMethod: 'bancontact', orderReference: null, buyer: { name: null, email: null } })),
    );

    expect(text).toContain('Payée le 21 novembre 2026 par bancontact');
    expect(text).not.toContain('Référence commande');
    expect(text).not.toContain('Facturé à');
  });

  it('spreads a long invoice over several pages, each with its page footer', async () => {
    const lines = Array.from({ length: 80 }, (_, i) => ({
      name: `Prestation n° ${i + 1}${i % 7 === 0 ? ' — description longue qui doit passer à la ligne dans la colonne' : ''}`,
      quantity: 1 + (i % 3),
      unit_amount: 1_000 + i * 37,
      vat_rate: [20, 10, 5.5][i % 3],
    }));
    const pdf = await renderInvoicePdf(invoice({ lines, environment: 'staging' }));
    const { text, pages } = await textOf(pdf);

    expect(pages).toBeGreaterThanOrEqual(2);
    for (let page = 1; page <= pages; page++) expect(text).toContain(`Page ${page} / ${pages}`);
    expect(text.split('TEST — sans valeur fiscale').length - 1).toBeGreaterThanOrEqual(pages);
    expect(text).toContain('Prestation n° 80');
  });

  it('produces the same bytes for the same invoice', async () => {
    const [a, b] = await Promise.all([sut.render(invoice()), renderInvoicePdf(invoice())]);

    expect(a.equals(b)).toBe(true);
  });

  it('refuses an invoice with a negative line before drawing anything', async () => {
    const lines = [{ name: 'Remise', quantity: 1, unit_amount: -500, vat_rate: 20 }];

    await expect(sut.render(invoice({ lines }))).rejects.toThrow(RangeError);
  });
});
