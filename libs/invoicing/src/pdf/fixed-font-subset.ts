import { deflateSync } from 'node:zlib';
import type { ParsedFont } from './fonts';
import { RecentCache } from './recent-cache';
import { withoutHinting } from './truetype-hinting';
import { FontkitTrueType, UnhintedSubsetEncoder } from './unhinted-subset';

/**
 * Every character an invoice in French or English normally prints: ASCII,
 * Latin-1, the French ligatures and quotes, dashes, the narrow no-break space
 * Intl puts in French amounts, and the euro sign.
 */
const FIXED_CODE_POINTS: readonly number[] = [
  ...range(0x20, 0x7e),
  ...range(0xa0, 0xff),
  0x152, 0x153, 0x178, 0x2009, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e, 0x2022, 0x2026, 0x202f, 0x20ac,
];

/**
 * Letter pairs and triples that shaping (the font's standard ligatures, on by default) draws as one glyph, which
 * no code point maps to: "fi" alone is in "fiscal" (the staging mark of every test-mode invoice), "Wifi",
 * "Certificat". Without their glyphs in the list, such a document fell back to pdfkit's own subset, encoded and
 * deflated again per document (about a third of a render, issue #14).
 */
const LIGATURES: readonly string[] = ['ff', 'fi', 'fl', 'ffi', 'ffl'];

/**
 * Lines kept encoded per font and generation (see RecentCache): a few hundred invoices' worth of single-use text,
 * and room for thousands of recurring lines.
 */
const RUNS_PER_GENERATION = 4000;
const WRAPS_PER_GENERATION = 1000;

/** The part of a fontkit glyph and subset this module reads. */
interface GlyphLike {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}
interface FontkitSubset {
  includeGlyph(glyph: number | { id: number }): number;
  encode(): Uint8Array;
}
export interface FontkitFont extends ParsedFont {
  unitsPerEm: number;
  glyphForCodePoint(codePoint: number): GlyphLike;
  getGlyph(id: number): GlyphLike;
  createSubset(): FontkitSubset;
}

/**
 * The glyphs every invoice may use, numbered once per process: glyph i of the
 * list is CID i in every document. The font program, its widths and its
 * ToUnicode map are then the same bytes for every invoice, so they are built
 * and deflated once, instead of subsetting and compressing the font again
 * in each document (about a third of a render). A document that needs a
 * glyph outside the list (a Polish or Greek name) gets a subset of its own,
 * with the list first and its extra glyphs after, so its bytes still depend
 * on nothing but the document.
 */
export class FixedFontSubset {
  /** fontkit glyph id -> CID. CID 0 is .notdef. */
  readonly cidOf = new Map<number, number>();
  /** CID -> fontkit glyph id. */
  readonly glyphIds: number[] = [0];
  /** CID -> advance width in 1/1000 em, as pdfkit writes them in /W. */
  readonly widths: number[];
  /** CID -> the code points the glyph stands for, for the ToUnicode map. */
  readonly unicode: number[][] = [[0]];
  /** The subset font program (without hinting, see withoutHinting), deflated: the /FontFile2 stream. */
  readonly fontFile: Buffer;
  readonly fontFileLength: number;
  /** The ToUnicode CMap, deflated. */
  readonly toUnicode: Buffer;
  /** Lines of text already encoded for this subset: an invoice has about a hundred, most of them recurring. */
  readonly runs = new RecentCache<string, EncodedRun | null>(RUNS_PER_GENERATION);
  /** How pdfkit's line wrapper splits a text, by font size, width and text: only long texts are wrapped. */
  readonly wraps = new RecentCache<string, string[]>(WRAPS_PER_GENERATION);
  /** Builds a document's own subset program from glyphs stripped once; null if it could not match fontkit's bytes. */
  private readonly encoder: UnhintedSubsetEncoder | null;

  constructor(readonly font: FontkitFont) {
    const scale = 1000 / font.unitsPerEm;
    this.widths = [font.getGlyph(0).advanceWidth * scale];
    const include = (glyph: GlyphLike, codePoints: number[]) => {
      if (glyph.id === 0 || this.cidOf.has(glyph.id)) return; // not in the font, or shared with another character
      this.cidOf.set(glyph.id, this.glyphIds.length);
      this.glyphIds.push(glyph.id);
      this.widths.push(glyph.advanceWidth * scale);
      this.unicode.push(codePoints);
    };
    for (const codePoint of FIXED_CODE_POINTS) include(font.glyphForCodePoint(codePoint), [codePoint]);
    // After the single characters, so their CIDs stay what they were; a font without the ligature shapes the
    // letters apart (more than one glyph) and adds nothing.
    for (const letters of LIGATURES) {
      const { glyphs } = font.layout(letters);
      if (glyphs.length === 1) include(glyphs[0] as GlyphLike, [...letters].map((c) => c.codePointAt(0)!));
    }
    const program = withoutHinting(this.subsetWith([]).encode());
    this.encoder = UnhintedSubsetEncoder.from(font as unknown as FontkitTrueType, this.glyphIds, program);
    this.fontFileLength = program.length;
    this.fontFile = deflateSync(program);
    this.toUnicode = deflateSync(Buffer.from(toUnicodeCmap(this.unicode), 'latin1'));
  }

  get size(): number {
    return this.glyphIds.length;
  }

  /**
   * The font program, without hinting, of a subset holding the fixed glyphs at their CIDs, then `extra` glyph ids in
   * order: the same bytes as `withoutHinting(this.subsetWith(extra).encode())`.
   */
  programWith(extra: readonly number[]): Buffer {
    return this.encoder ? this.encoder.encode([...this.glyphIds, ...extra]) : withoutHinting(this.subsetWith(extra).encode());
  }

  /** A fontkit subset holding the fixed glyphs at their CIDs, then `extra` glyph ids in order. */
  subsetWith(extra: readonly number[]): FontkitSubset {
    const subset = this.font.createSubset();
    for (let cid = 1; cid < this.glyphIds.length; cid++) subset.includeGlyph(this.glyphIds[cid]);
    for (const id of extra) subset.includeGlyph(id);
    return subset;
  }
}

/** A single line of text in one font: its width and its `TJ` operand, valid in every document using the subset. */
export interface EncodedRun {
  /** In 1/1000 em. */
  width: number;
  /** e.g. `[<0012003a> 40 <0044>]`. */
  tj: string;
}

/**
 * What pdfkit's font object for one document looks like from here (pdfkit
 * 0.20 `EmbeddedFont`, not exported by pdfkit, hence the structural type).
 */
export interface PdfkitEmbeddedFont {
  id: string;
  font: FontkitFont;
  subset: FontkitSubset;
  widths: number[];
  unicode: number[][];
  scale: number;
  ascender: number;
  descender: number;
  capHeight: number;
  xHeight: number;
  dictionary: PdfkitRef | null;
  document: { ref(data?: Record<string, unknown>): PdfkitRef; subset?: number };
  embed(): void;
  encode(text: string): [string[], Array<{ xAdvance: number; advanceWidth: number; xOffset: number; yOffset: number }>];
  widthOfString(text: string, size: number, features?: unknown): number;
  ref(): PdfkitRef;
  [FIXED]?: FixedFontSubset;
}
interface PdfkitRef {
  data: Record<string, unknown>;
  compress: boolean;
  end(chunk?: Uint8Array | string): void;
}

const FIXED = Symbol('fixed font subset');

/**
 * Makes one document's pdfkit font number its glyphs by `fixed` and, when
 * the document stayed within it, embed the pre-built streams. Called right
 * after pdfkit creates the font object, before any text is drawn with it.
 */
export function useFixedSubset(pdfFont: PdfkitEmbeddedFont, fixed: FixedFontSubset): void {
  if (pdfFont[FIXED]) return;
  // An object with shared methods, and a shared embed function, rather than closures over this document: V8 keeps
  // closures that old objects' inline caches saw alive through young-generation collections, and the documents
  // they capture with them (see collectText in invoice-pdf-document.ts).
  pdfFont.subset = new DocumentSubset(fixed);
  // pdfkit fills these for the glyphs a document uses; the fixed ones are all in the program.
  pdfFont.widths = fixed.widths.slice();
  pdfFont.unicode = fixed.unicode.slice();
  pdfFont.embed = embedWithFixed;
  pdfFont[FIXED] = fixed;
}

/** One document's glyph numbering: the fixed subset's CIDs, then the document's extra glyphs in the order met. */
class DocumentSubset implements FontkitSubset {
  readonly extra: number[] = [];
  private readonly extraCid = new Map<number, number>();

  constructor(private readonly fixed: FixedFontSubset) {}

  includeGlyph(glyph: number | { id: number }): number {
    const id = typeof glyph === 'object' ? glyph.id : glyph;
    const cid = this.fixed.cidOf.get(id) ?? (id === 0 ? 0 : this.extraCid.get(id));
    if (cid !== undefined) return cid;
    this.extra.push(id);
    this.extraCid.set(id, this.fixed.size + this.extra.length - 1);
    return this.fixed.size + this.extra.length - 1;
  }

  encode(): Uint8Array {
    return this.fixed.programWith(this.extra);
  }
}

/** EmbeddedFont.embed of a font given a fixed subset (`this`, as pdfkit calls it). */
function embedWithFixed(this: PdfkitEmbeddedFont): void {
  const subset = this.subset as DocumentSubset;
  // PDF/A-1 wants a CIDSet, which only pdfkit's own embedding writes.
  if (subset.extra.length > 0 || this.document.subset === 1) (Object.getPrototypeOf(this) as PdfkitEmbeddedFont).embed.call(this);
  else embedFixed(this, this[FIXED]!);
}

export function fixedSubsetOf(pdfFont: PdfkitEmbeddedFont): FixedFontSubset | undefined {
  return pdfFont[FIXED];
}

/** pdfkit's EmbeddedFont.embed for a TrueType font, with the streams built once per process. */
function embedFixed(pdfFont: PdfkitEmbeddedFont, fixed: FixedFontSubset): void {
  const doc = pdfFont.document;
  const { font, scale } = pdfFont;
  const fontFile = doc.ref({ Filter: 'FlateDecode', Length1: fixed.fontFileLength });
  fontFile.end(fixed.fontFile);
  const meta = fontMetaOf(font);
  // Same tag as pdfkit derives from the font id, so the two paths name fonts alike.
  const tag = [1, 2, 3, 4, 5, 6].map((i) => String.fromCharCode((pdfFont.id.charCodeAt(i) || 73) + 17)).join('');
  const name = `${tag}+${meta.postscriptName}`;
  const bbox = meta.bbox;
  const descriptor = doc.ref({
    Type: 'FontDescriptor',
    FontName: name,
    Flags: meta.flags,
    FontBBox: [bbox.minX * scale, bbox.minY * scale, bbox.maxX * scale, bbox.maxY * scale],
    ItalicAngle: meta.italicAngle,
    Ascent: pdfFont.ascender,
    Descent: pdfFont.descender,
    CapHeight: (meta.capHeight || meta.ascent) * scale,
    XHeight: (meta.xHeight || 0) * scale,
    StemV: 0,
    FontFile2: fontFile,
  });
  descriptor.end();
  const descendantFont = doc.ref({
    Type: 'Font',
    Subtype: 'CIDFontType2',
    BaseFont: name,
    CIDSystemInfo: { Registry: new String('Adobe'), Ordering: new String('Identity'), Supplement: 0 },
    FontDescriptor: descriptor,
    W: widthsOperand(fixed),
    CIDToGIDMap: 'Identity',
  });
  descendantFont.end();
  const toUnicode = doc.ref({ Filter: 'FlateDecode' });
  toUnicode.end(fixed.toUnicode);
  const dictionary = pdfFont.ref();
  dictionary.data = { Type: 'Font', Subtype: 'Type0', BaseFont: name, Encoding: 'Identity-H', DescendantFonts: [descendantFont], ToUnicode: toUnicode };
  dictionary.end();
}

/** A value pdfkit writes as it stands (PDFObject.convert falls back to `${value}` for an object of its own kind). */
class PdfRaw {
  constructor(private readonly text: string) {}
  get [Symbol.toStringTag](): string {
    return 'PdfRaw';
  }
  toString(): string {
    return this.text;
  }
}

const widthsOperands = new WeakMap<FixedFontSubset, PdfRaw>();

/**
 * The /W array `[0 [w0 w1 ...]]` as pdfkit writes `[0, widths]` (numbers rounded to 6 decimals), written once per
 * process: converting ~230 widths per font was a tenth of the objects pdfkit serialises in every document.
 */
function widthsOperand(fixed: FixedFontSubset): PdfRaw {
  let operand = widthsOperands.get(fixed);
  if (!operand) {
    operand = new PdfRaw(`[0 [${fixed.widths.map((w) => Math.round(w * 1e6) / 1e6).join(' ')}]]`);
    widthsOperands.set(fixed, operand);
  }
  return operand;
}

interface FontMeta {
  postscriptName: string;
  flags: number;
  bbox: { minX: number; minY: number; maxX: number; maxY: number };
  italicAngle: number;
  capHeight: number;
  xHeight: number;
  ascent: number;
}
const metaCache = new WeakMap<object, FontMeta>();

/** The descriptor's values, as pdfkit computes them (flags from OS/2 and post), read once per font. */
function fontMetaOf(font: FontkitFont): FontMeta {
  let meta = metaCache.get(font);
  if (!meta) {
    const f = font as unknown as {
      'OS/2'?: { sFamilyClass?: number };
      post: { isFixedPitch: number };
      head: { macStyle: { italic: boolean } };
      bbox: FontMeta['bbox'];
      italicAngle: number;
      capHeight: number;
      xHeight: number;
      ascent: number;
    };
    const familyClass = (f['OS/2']?.sFamilyClass || 0) >> 8;
    let flags = 1 << 2; // symbolic: pdfkit always says so for Identity-H fonts
    if (f.post.isFixedPitch) flags |= 1 << 0;
    if (familyClass >= 1 && familyClass <= 7) flags |= 1 << 1;
    if (familyClass === 10) flags |= 1 << 3;
    if (f.head.macStyle.italic) flags |= 1 << 6;
    meta = {
      postscriptName: font.postscriptName.replaceAll(' ', '_'),
      flags,
      bbox: f.bbox,
      italicAngle: f.italicAngle,
      capHeight: f.capHeight,
      xHeight: f.xHeight,
      ascent: f.ascent,
    };
    metaCache.set(font, meta);
  }
  return meta;
}

const toHex = (n: number) => n.toString(16).padStart(4, '0');

/** The ToUnicode CMap pdfkit writes, for the fixed CIDs. */
function toUnicodeCmap(unicode: number[][]): string {
  const entries = unicode.map((codePoints) => `<${codePoints.map(toHex).join(' ')}>`);
  const ranges: string[] = [];
  for (let start = 0; start < entries.length; start += 256) {
    const end = Math.min(start + 256, entries.length);
    ranges.push(`<${toHex(start)}> <${toHex(end - 1)}> [${entries.slice(start, end).join(' ')}]`);
  }
  return `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo <<
  /Registry (Adobe)
  /Ordering (UCS)
  /Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000><ffff>
endcodespacerange
${ranges.length} beginbfrange
${ranges.join('\n')}
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
`;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
