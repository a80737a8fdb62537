import { InvoicePdfRenderer } from './invoice-pdf.renderer';
import { WARM_UP_RENDERS, warmUpDocument } from './warm-up-document';

/** A render thread warms up on these before its first real document: each must render (invoices and credit notes). */
describe('render thread warm-up documents', () => {
  it('are valid documents of both kinds that the renderer turns into PDFs', async () => {
    const renderer = new InvoicePdfRenderer();
    const kinds = new Set<string>();
    for (let n = 0; n < Math.min(WARM_UP_RENDERS, 6); n++) {
      const doc = warmUpDocument(n);
      kinds.add(doc.kind);
      const pdf = await renderer.render(doc);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }
    expect([...kinds].sort()).toEqual(['credit_note', 'invoice']);
  });
});
