import { documentKinds } from './support/invoice-samples';
import { pdfStructure, structureProblems } from './support/invoice-conformance';
import { InvoicePdfRenderer, RenderedInvoice } from '../libs/invoicing/src/pdf/invoice-pdf.renderer';

/** The Factur-X container of every kind of document, read back by pdf-lib with a strict structure check; no system tool needed. */
describe('invoice PDF structure (PDF/A-3b Factur-X container)', () => {
  const renderer = new InvoicePdfRenderer();
  const rendered = new Map<string, RenderedInvoice>();

  beforeAll(async () => {
    for (const [name, doc] of Object.entries(documentKinds())) rendered.set(name, await renderer.renderFacturX(doc));
  });

  it.each(Object.keys(documentKinds()))('%s: a sound PDF 1.7 with factur-x.xml as its /Alternative file and the Factur-X XMP', async (name) => {
    const { pdf, xml } = rendered.get(name)!;
    const s = await pdfStructure(pdf);
    expect(s.pdfVersion).toBe('%PDF-1.7');
    expect(s.problems).toEqual([]);
    expect(s.associatedFiles).toEqual([{ name: 'factur-x.xml', relationship: '/Alternative', subtype: '/text/xml' }]);
    expect(s.embeddedNames).toEqual(['factur-x.xml']);
    expect(s.embeddedXml).toBe(xml);
    // PDF/A: every font's program in the file (pdfkit's two DejaVu faces, subset).
    expect(s.fonts).toHaveLength(2);
    for (const font of s.fonts) expect(font).toMatchObject({ name: expect.stringMatching(/^\/[A-Z]{6}\+DejaVuSans/), embedded: true, widthsComplete: true });
    const xmp = s.xmp.replace(/\s+/g, ' ');
    expect(xmp).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(xmp).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(xmp).toContain('<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>');
    expect(xmp).toContain('<fx:DocumentType>INVOICE</fx:DocumentType>');
    expect(xmp).toContain('<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>');
    expect(xmp).toContain('<fx:Version>1.0</fx:Version>');
    expect(xmp).toContain('<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>');
  });

  describe('a damaged invoice is reported', () => {
    let good: Buffer;
    let text: string;
    beforeAll(() => {
      good = rendered.values().next().value!.pdf;
      text = good.toString('latin1');
    });
    const damaged = (edit: (t: string) => string) => Buffer.from(edit(text), 'latin1');

    it('cut short (a download that stopped)', async () => {
      expect(await structureProblems(good.subarray(0, Math.floor(good.length * 0.8)))).toEqual([expect.stringContaining('startxref')]);
    });

    it('startxref pointing elsewhere', async () => {
      const broken = damaged((t) => t.replace(/startxref\s+(\d+)/, (_, n) => `startxref\n${Number(n) - 7}`));
      expect((await structureProblems(broken)).join('\n')).toMatch(/does not point at an "xref" table/);
    });

    it('an xref entry shifted off its object', async () => {
      // Same length, so only the bookkeeping is wrong: object 3's entry is 2 bytes off.
      const broken = damaged((t) => {
        const xref = t.lastIndexOf('\nxref');
        const lines = t.slice(xref).split('\n');
        lines[6] = `${String(Number(lines[6].slice(0, 10)) + 2).padStart(10, '0')}${lines[6].slice(10)}`;
        return t.slice(0, xref) + lines.join('\n');
      });
      expect((await structureProblems(broken)).join('\n')).toMatch(/xref entry for object 3 0 points at offset \d+, where that object does not start/);
    });

    it('a compressed stream with damaged bytes', async () => {
      const start = text.indexOf('/FlateDecode');
      const data = text.indexOf('stream\n', start) + 'stream\n'.length + 2; // past the zlib header
      const broken = Buffer.from(good);
      for (let i = data; i < data + 40; i++) broken[i] = 0xff;
      expect((await structureProblems(broken)).join('\n')).toMatch(/stream \d+ does not decode/);
    });

    it('a stream whose /Length lies', async () => {
      const broken = damaged((t) => t.replace(/\/Length (\d+)/, (_, n) => `/Length ${String(Number(n) - 5).padStart(n.length, ' ')}`));
      expect((await structureProblems(broken)).join('\n')).toMatch(/\/Length \d+ but \d+ bytes before endstream/);
    });

    it('and the intact file has no problem', async () => {
      expect(await structureProblems(good)).toEqual([]);
    });
  });
});
