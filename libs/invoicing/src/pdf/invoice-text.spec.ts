import PDFDocument from 'pdfkit';
import { PdfkitEmbeddedFont, useFixedSubset } from './fixed-font-subset';
import { FONT_BOLD, FONT_REGULAR, loadInvoiceFonts } from './fonts';
import { drawLine, lineWidth, useSharedWordWidths } from './invoice-text';

/** A document set up as the renderer sets one up (shared parsed fonts, fixed subsets), uncompressed. */
function documentWithFonts(): PDFKit.PDFDocument {
  const fonts = loadInvoiceFonts();
  const pdf = new PDFDocument({ size: 'A4', autoFirstPage: false, compress: false, font: '' } as PDFKit.PDFDocumentOptions);
  pdf.registerFont(FONT_REGULAR, fonts.regular as unknown as Buffer);
  pdf.registerFont(FONT_BOLD, fonts.bold as unknown as Buffer);
  const fontOf = (doc: PDFKit.PDFDocument) => (doc as unknown as { _font: PdfkitEmbeddedFont })._font;
  useFixedSubset(fontOf(pdf.font(FONT_REGULAR)), fonts.regularSubset);
  useFixedSubset(fontOf(pdf.font(FONT_BOLD)), fonts.boldSubset);
  pdf.addPage();
  return pdf;
}

function pageContent(pdf: PDFKit.PDFDocument): string {
  const content = (pdf as unknown as { page: { content: { buffer: Uint8Array[] } } }).page.content;
  return Buffer.concat(content.buffer).toString('latin1');
}

// Kerning pairs, ligatures, runs of spaces, a space at either end, an amount as Intl prints it, a glyph beyond the
// fixed subset (pdfkit's own path) and a character the font lacks (.notdef).
const TEXTS = ['Total TTC', 'AVAT To Wa Ty', 'office ffi fl Wifi', 'deux  espaces', 'fin ', ' début', '1 234,56\u00a0€', 'Łukasz Żółć', 'x\u0378y'];

describe('drawLine and lineWidth', () => {
  it.each([FONT_REGULAR, FONT_BOLD])('in %s, write and measure each text as pdfkit does', (font) => {
    const ours = documentWithFonts();
    const pdfkit = documentWithFonts();
    for (const [i, text] of TEXTS.entries()) {
      for (const pdf of [ours, pdfkit]) pdf.font(font).fontSize(9 + i);
      // pdfkit sums word by word, lineWidth glyph by glyph: equal but for the last bits.
      expect(lineWidth(ours, text)).toBeCloseTo(pdfkit.widthOfString(text), 9);
      drawLine(ours, text, 50, 60 + 20 * i);
      pdfkit.text(text, 50, 60 + 20 * i, { lineBreak: false });
    }
    expect(pageContent(ours)).toBe(pageContent(pdfkit));
    // Same glyphs numbered the same way, beyond the fixed subset too.
    const used = (pdf: PDFKit.PDFDocument) => (pdf as unknown as { _font: { widths: number[] } })._font.widths;
    expect(used(ours)).toEqual(used(pdfkit));
  });
});

describe('useSharedWordWidths', () => {
  it.each([FONT_REGULAR, FONT_BOLD])('in %s, gives pdfkit\'s widthOfString to the bit, so its wrapper breaks lines where it did', (name) => {
    const pdf = documentWithFonts();
    const font = (pdf.font(name) as unknown as { _font: PdfkitEmbeddedFont })._font;
    const pdfkitWidth = font.widthOfString.bind(font);
    useSharedWordWidths(font);
    const words = ['Chambre', 'double', 'Canal', 'Saint-Martin,', '3', 'nuits', 'du', '21', 'au', '24', 'septembre', 'Łukasz', 'officiel', 'AVAT', '1\u202f234,56\u00a0€', ''];
    const texts = [...TEXTS, 'a\tb', '  ', ' ', 'x'];
    for (let n = 0; n < 400; n++) {
      const length = 1 + ((n * 7) % 13);
      texts.push(Array.from({ length }, (_, i) => words[(n * 31 + i * 17) % words.length]).join(n % 5 === 0 ? '  ' : ' ') + (n % 3 === 0 ? ' ' : ''));
    }
    for (const [i, text] of texts.entries()) {
      const size = 8 + (i % 7) * 0.5;
      expect({ text, width: font.widthOfString(text, size) }).toEqual({ text, width: pdfkitWidth(text, size) });
    }
  });
});
