import { pdfStructure } from '../../../../test/support/pdf-structure';
import { pdfText } from '../../../../test/support/pdf-text';
import { sampleInvoice } from '../../../../test/support/invoice-samples';
import { loadInvoiceFonts } from './fonts';
import { InvoicePdfRenderer } from './invoice-pdf.renderer';

describe('fonts numbered and embedded once per process', () => {
  const renderer = new InvoicePdfRenderer();
  const latin = sampleInvoice();
  // Ł, ż and Greek letters are outside the fixed subset: this document gets a font program of its own.
  const beyond = sampleInvoice({ buyer: { name: 'Łukasz Żółkiewski Αθηνά', email: 'lz@example.com' } });

  it('the fixed subset covers French and Latin-1 text, € and the narrow no-break space of French amounts', () => {
    const { regularSubset } = loadInvoiceFonts();
    for (const c of 'àâçéèêëîïôùûüÿœŒÆ€ñßøå«»’—\u202f\u00a0') {
      expect(regularSubset.cidOf.has(regularSubset.font.glyphForCodePoint(c.codePointAt(0)!).id)).toBe(true);
    }
  });

  it('a text with ligatures ("fi" of the staging mark, "Wifi") stays within the fixed subset and reads back', async () => {
    const { regularSubset, boldSubset } = loadInvoiceFonts();
    const doc = sampleInvoice({ environment: 'staging', lines: [{ name: 'Wifi, affiche, flûte, officiel', quantity: 1, unit_amount: 100, vat_rate: 20 }] });
    const { pdf } = await renderer.renderFacturX(doc);
    // The font programs built once per process, not a subset of the document's own.
    expect(pdf.includes(regularSubset.fontFile) && pdf.includes(boldSubset.fontFile)).toBe(true);
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    expect(text).toContain('sans valeur fiscale');
    expect(text).toContain('Wifi, affiche, flûte, officiel');
    const { problems } = await pdfStructure(pdf);
    expect(problems).toEqual([]);
  });

  it('a document gives the same bytes whatever was rendered before it in the process', async () => {
    const first = (await renderer.renderFacturX(latin)).pdf;
    await renderer.renderFacturX(beyond);
    await renderer.renderFacturX(sampleInvoice({ locale: 'en', lines: [{ name: 'Ωmega suite ★', quantity: 1, unit_amount: 100, vat_rate: 20 }] }));
    expect((await renderer.renderFacturX(latin)).pdf.equals(first)).toBe(true);
    const second = (await renderer.renderFacturX(beyond)).pdf;
    expect((await renderer.renderFacturX(beyond)).pdf.equals(second)).toBe(true);
  });

  it.each([
    ['within the fixed subset', latin, 'Élodie Martin'],
    ['with glyphs beyond it', beyond, 'Łukasz Żółkiewski Αθηνά'],
  ])('%s: the text reads back and both fonts are embedded with every width', async (_, doc, name) => {
    const { pdf } = await renderer.renderFacturX(doc);
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    expect(text).toContain(name);
    expect(text).toContain('Nuitée appartement Montmartre');
    expect(text).toMatch(/Total TTC [\d ]+,\d{2} €/);
    const { fonts, problems } = await pdfStructure(pdf);
    expect(problems).toEqual([]);
    expect(fonts.map((f) => [f.embedded, f.widthsComplete])).toEqual([[true, true], [true, true]]);
  });
});
