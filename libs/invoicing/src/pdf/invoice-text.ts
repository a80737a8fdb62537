import { EncodedRun, FixedFontSubset, fixedSubsetOf, PdfkitEmbeddedFont } from './fixed-font-subset';
import { ParsedFont, shapedWord } from './fonts';
import { RecentCache } from './recent-cache';

/** The pdfkit document internals the fast path reads (pdfkit 0.20). */
interface PdfkitInternals {
  _font: PdfkitEmbeddedFont;
  _fontSize: number;
  page: { height: number; fonts: Record<string, unknown>; write(chunk: string | Uint8Array): void };
  x: number;
  y: number;
  _text(text: string, x: number, y: number, options: Record<string, unknown>, onLine: (line: string) => void): void;
}

const internals = (pdf: PDFKit.PDFDocument) => pdf as unknown as PdfkitInternals;

/** PDF numbers as pdfkit writes them (PDFObject.number). */
const num = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * The width of one line of text in the current font and size, as
 * `pdf.widthOfString` gives it, from the process-wide cache when it can.
 */
export function lineWidth(pdf: PDFKit.PDFDocument, text: string): number {
  const run = runOf(pdf, text);
  return run ? (run.width * internals(pdf)._fontSize) / 1000 : pdf.widthOfString(text);
}

/**
 * Draws one line of text with its top-left corner at (x, y), as
 * `pdf.text(text, x, y, { lineBreak: false })` does and with the same
 * operators, but from a run encoded once per process: pdfkit shapes and
 * hex-encodes every string of every document again, which was the largest
 * part of drawing an invoice. Unlike pdf.text, it leaves pdf.x and pdf.y alone.
 */
export function drawLine(pdf: PDFKit.PDFDocument, text: string, x: number, y: number): void {
  const run = runOf(pdf, text);
  if (!run) {
    pdf.text(text, x, y, { lineBreak: false });
    return;
  }
  const { _font: font, _fontSize: size, page } = internals(pdf);
  page.fonts[font.id] ??= font.ref();
  // pdfkit flips the y axis for each text object and places the top of the line (baseline 'top') at y.
  const baseline = page.height - y - (font.ascender / 1000) * size;
  // One write (pdfkit adds the last newline); an InvoicePdfDocument keeps it as text until the page ends.
  page.write(`${linePrefix(page.height)}${num(x)} ${num(baseline)} Tm\n${fontOperator(font.id, size)}${run.tj} TJ\nET\nQ`);
}

// The parts of a line's operators that repeat from line to line, printed again only when they change.
let prefixFor = NaN;
let prefix = '';
const linePrefix = (pageHeight: number) => {
  if (pageHeight !== prefixFor) {
    prefix = `q\n1 0 0 -1 0 ${num(pageHeight)} cm\nBT\n1 0 0 1 `;
    prefixFor = pageHeight;
  }
  return prefix;
};
let fontOperatorId = '';
let fontOperatorSize = NaN;
let fontOperatorText = '';
const fontOperator = (id: string, size: number) => {
  if (id !== fontOperatorId || size !== fontOperatorSize) {
    fontOperatorText = `/${id} ${num(size)} Tf\n`;
    fontOperatorId = id;
    fontOperatorSize = size;
  }
  return fontOperatorText;
};

/**
 * The lines `pdf.text(text, { width })` would draw: the text's own lines
 * when each fits, else the lines of pdfkit's wrapper (word breaks per
 * Unicode UAX #14), asked once per font, size, width and text: a line's
 * long product name recurs on every invoice of the partner.
 */
export function linesOf(pdf: PDFKit.PDFDocument, text: string, width: number): string[] {
  const lines = text.split('\n');
  if (lines.every((line) => !line || lineWidth(pdf, line) <= width)) return lines;
  const { _font: font, _fontSize: size } = internals(pdf);
  const fixed = font && fixedSubsetOf(font);
  const key = `${size}\u0001${width}\u0001${text}`;
  let wrapped = fixed?.wraps.get(key);
  if (!wrapped) {
    wrapped = wrapWithPdfkit(pdf, text, width);
    fixed?.wraps.set(key, wrapped);
  }
  return wrapped;
}

/** Runs pdfkit's LineWrapper without drawing, as heightOfString does, keeping the lines it emits. */
function wrapWithPdfkit(pdf: PDFKit.PDFDocument, text: string, width: number): string[] {
  const doc = internals(pdf);
  const { x, y } = doc;
  const lines: string[] = [];
  doc._text(text, x, y, { width, height: Infinity }, (line) => lines.push(line.replace(/\n/g, '')));
  doc.x = x;
  doc.y = y;
  return lines;
}

/** null when the text cannot take the fast path: no fixed subset, a line break, or a glyph outside the subset. */
function runOf(pdf: PDFKit.PDFDocument, text: string): EncodedRun | null {
  const font = internals(pdf)._font;
  const fixed = font && fixedSubsetOf(font);
  if (!fixed || text.length === 0) return null;
  let run = fixed.runs.get(text);
  if (run === undefined) {
    run = encodeRun(font, fixed, text);
    fixed.runs.set(text, run);
  }
  return run;
}

interface EncodedGlyphs {
  /** 4-digit hex CIDs, as pdfkit's EmbeddedFont.encode gives them. */
  encoded: string[];
  /** Scaled to 1/1000 em as pdfkit's layoutRun scales them. */
  positions: { xAdvance: number; advanceWidth: number }[];
}

/**
 * What `font.encode(text)` returns (pdfkit's EmbeddedFont: the text shaped word by word, words ending after a space,
 * positions scaled to 1/1000 em), read from the process-wide shaped words instead of pdfkit's per-document copies:
 * pdfkit copied, rescaled and concatenated every word of every new line. null when a glyph is outside the fixed
 * subset or is offset (those need pdfkit's own path).
 */
function encodeWithSharedWords(font: PdfkitEmbeddedFont, fixed: FixedFontSubset, text: string): EncodedGlyphs | null {
  const { scale } = font;
  const encoded: string[] = [];
  const positions: EncodedGlyphs['positions'] = [];
  let last = 0;
  for (let index = 0; index <= text.length; ) {
    const c = text.charAt(index);
    if ((index === text.length && last < index) || c === ' ' || c === '\t') {
      const shaped = shapedWord(font.font, text.slice(last, ++index));
      if (!shaped) return null;
      for (let i = 0; i < shaped.glyphs.length; i++) {
        const glyph = shaped.glyphs[i];
        const p = shaped.positions[i];
        const cid = fixed.cidOf.get(glyph.id) ?? (glyph.id === 0 ? 0 : undefined);
        // Extra glyphs get CIDs that differ from one document to the next; offsets need their own Tm operators.
        if (cid === undefined || p.xOffset || p.yOffset) return null;
        encoded.push(`0000${cid.toString(16)}`.slice(-4));
        positions.push({ xAdvance: p.xAdvance * scale, advanceWidth: glyph.advanceWidth * scale });
      }
      last = index;
    } else index++;
  }
  return { encoded, positions };
}

/** pdfkit's `_fragment` encoding for left-aligned text with no spacing options: glyph runs split where kerning applies. */
function encodeRun(font: PdfkitEmbeddedFont, fixed: FixedFontSubset, text: string): EncodedRun | null {
  if (/[\n\t]/.test(text)) return null;
  const encodedRun = encodeWithSharedWords(font, fixed, text);
  if (!encodedRun) {
    // pdfkit's encode numbers the glyphs outside the fixed subset for this document, in the order it meets them,
    // whether the text is drawn or only measured: done as before, so such a document's subset stays the same.
    font.encode(text);
    return null;
  }
  const { encoded, positions } = encodedRun;
  let width = 0;
  for (let i = 0; i < encoded.length; i++) width += positions[i].xAdvance;
  const commands: string[] = [];
  let last = 0;
  const segment = (cur: number) => {
    if (last < cur) {
      const advance = positions[cur - 1].xAdvance - positions[cur - 1].advanceWidth;
      commands.push(`<${encoded.slice(last, cur).join('')}> ${num(-advance)}`);
    }
    last = cur;
  };
  for (let i = 0; i < positions.length; i++) {
    if (positions[i].xAdvance - positions[i].advanceWidth !== 0) segment(i + 1);
  }
  segment(positions.length);
  return { width, tj: `[${commands.join(' ')}]` };
}

/** Words' widths per font, as pdfkit's EmbeddedFont.layout sums them (see widthOfStringShared); numbers, so small. */
const wordWidths = new WeakMap<ParsedFont, RecentCache<string, number>>();
const WORD_WIDTHS_PER_GENERATION = 4000;

/**
 * Makes one document's pdfkit font measure text from the words shaped and summed once per process. pdfkit's line
 * wrapper measures every word of a text too long for its column, and pdfkit copies and rescales each word's shaping
 * for each document first: a new long line (a stay's dates, a new product) paid that on every invoice.
 */
export function useSharedWordWidths(pdfFont: PdfkitEmbeddedFont): void {
  pdfFont.widthOfString = widthOfStringShared;
}

const pdfkitWidthOfString = (pdfFont: PdfkitEmbeddedFont, text: string, size: number, features?: unknown) =>
  (Object.getPrototypeOf(pdfFont) as PdfkitEmbeddedFont).widthOfString.call(pdfFont, text, size, features);

/**
 * pdfkit's EmbeddedFont.widthOfString (`this` as pdfkit calls it), with the same arithmetic in the same order: a
 * word's width is the sum of its scaled advances, the text's the sum of its words' (words end after a space or tab),
 * times size / 1000. The same number to the bit, so the wrapper breaks lines where it did.
 */
function widthOfStringShared(this: PdfkitEmbeddedFont, text: string, size: number, features?: unknown): number {
  if (features) return pdfkitWidthOfString(this, text, size, features);
  let widths = wordWidths.get(this.font);
  if (!widths) {
    widths = new RecentCache<string, number>(WORD_WIDTHS_PER_GENERATION);
    wordWidths.set(this.font, widths);
  }
  let advanceWidth = 0;
  let last = 0;
  for (let index = 0; index <= text.length; ) {
    const c = text.charAt(index);
    if ((index === text.length && last < index) || c === ' ' || c === '\t') {
      const word = text.slice(last, ++index);
      let width = widths.get(word);
      if (width === undefined) {
        const shaped = shapedWord(this.font, word);
        if (!shaped) return pdfkitWidthOfString(this, text, size, features);
        width = 0;
        for (const p of shaped.positions) width += p.xAdvance * this.scale;
        widths.set(word, width);
      }
      advanceWidth += width;
      last = index;
    } else index++;
  }
  return advanceWidth * (size / 1000);
}
