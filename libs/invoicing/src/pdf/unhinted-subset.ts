import { assembleFont, stripGlyph } from './truetype-hinting';

// Composite glyph component flags (OpenType 'glyf').
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;

/** The parts of a fontkit TrueType font read here (fontkit 2, not typed). */
export interface FontkitTrueType {
  loca: { offsets: number[] };
  getGlyph(id: number): { advanceWidth: number; _getMetrics(): { leftBearing: number } };
  _getTableStream(tag: string): { buffer: Uint8Array; pos: number } | null;
  _variationProcessor?: unknown;
}

/** One glyph as the subset writes it: its record without instructions, padded, and where its components' ids are. */
interface GlyphPart {
  record: Buffer;
  /** Offsets in `record` of the component glyph ids (composite glyphs), and the ids in the font. */
  componentAt: number[];
  components: number[];
  /** The glyph's hmtx entry: advance (uint16), left side bearing (int16). */
  advance: number;
  bearing: number;
}

/**
 * A TrueType subset without hinting, byte for byte what `withoutHinting(subset.encode())` gives for a fontkit
 * subset holding `glyphIds` in that order (fontkit's TTFSubset: components of composite glyphs added after, in the
 * order met), from glyph records stripped once per process. fontkit rebuilds every table through restructure and
 * withoutHinting then parses and rewrites it: together ~2.5 ms of a document whose text has a glyph outside the fixed
 * subset (a Polish or Turkish name), against ~0.1 ms here. `from` checks the result against fontkit's on the fixed
 * subset and declines the font when they differ (a font with variations, say), so callers keep fontkit's path then.
 */
export class UnhintedSubsetEncoder {
  private readonly parts = new Map<number, GlyphPart>();

  private constructor(
    private readonly font: FontkitTrueType,
    private readonly glyf: Buffer,
    /** head, hhea and maxp as fontkit and withoutHinting write them; the glyph counts are patched per subset. */
    private readonly version: number,
    private readonly head: Buffer,
    private readonly hhea: Buffer,
    private readonly maxp: Buffer,
  ) {}

  /**
   * An encoder for `font`, or null when it cannot give the same bytes as fontkit: `reference` is fontkit's
   * subset of `glyphIds`, without hinting.
   */
  static from(font: FontkitTrueType, glyphIds: readonly number[], reference: Buffer): UnhintedSubsetEncoder | null {
    const glyf = font._getTableStream('glyf');
    if (!glyf || font._variationProcessor) return null;
    const tables = tablesOf(reference);
    const [head, hhea, maxp] = ['head', 'hhea', 'maxp'].map((tag) => tables.get(tag) && Buffer.from(tables.get(tag)!));
    if (!head || !hhea || !maxp) return null;
    head.writeUInt32BE(0, 8); // checkSumAdjustment: assembleFont sets it from the whole file
    const table = Buffer.from(glyf.buffer.buffer, glyf.buffer.byteOffset + glyf.pos, font.loca.offsets[font.loca.offsets.length - 1]);
    const encoder = new UnhintedSubsetEncoder(font, table, reference.readUInt32BE(0), head, hhea, maxp);
    return encoder.encode(glyphIds).equals(reference) ? encoder : null;
  }

  /** The subset font program holding `glyphIds` (glyph 0 first, as fontkit's subset always has it). */
  encode(glyphIds: readonly number[]): Buffer {
    const order = [...glyphIds];
    const index = new Map<number, number>();
    order.forEach((id, i) => index.has(id) || index.set(id, i));
    const include = (id: number) => {
      let at = index.get(id);
      if (at === undefined) {
        at = order.length;
        order.push(id);
        index.set(id, at);
      }
      return at;
    };
    const records: Buffer[] = [];
    const hmtx: number[] = [];
    // Glyphs are added while the list is walked: components come after, as fontkit numbers them.
    for (let i = 0; i < order.length; i++) {
      const part = this.partOf(order[i]);
      let record = part.record;
      if (part.components.length > 0) {
        record = Buffer.from(record);
        part.components.forEach((component, c) => record.writeUInt16BE(include(component), part.componentAt[c]));
      }
      records.push(record);
      hmtx.push(part.advance, part.bearing);
    }
    const count = records.length;
    const loca = Buffer.alloc(4 * (count + 1));
    let at = 0;
    records.forEach((record, g) => {
      loca.writeUInt32BE(at, 4 * g);
      at += record.length;
    });
    loca.writeUInt32BE(at, 4 * count);
    const metrics = Buffer.alloc(4 * count);
    for (let g = 0; g < count; g++) {
      metrics.writeUInt16BE(hmtx[2 * g], 4 * g);
      metrics.writeInt16BE(hmtx[2 * g + 1], 4 * g + 2);
    }
    const hhea = Buffer.from(this.hhea);
    hhea.writeUInt16BE(count, 34); // numberOfMetrics
    const maxp = Buffer.from(this.maxp);
    maxp.writeUInt16BE(count, 4); // numGlyphs
    return assembleFont(this.version, [
      { tag: 'glyf', data: Buffer.concat(records, at) },
      { tag: 'head', data: Buffer.from(this.head) },
      { tag: 'hhea', data: hhea },
      { tag: 'hmtx', data: metrics },
      { tag: 'loca', data: loca },
      { tag: 'maxp', data: maxp },
    ]);
  }

  private partOf(id: number): GlyphPart {
    let part = this.parts.get(id);
    if (!part) {
      const { offsets } = this.font.loca;
      const raw = this.glyf.subarray(offsets[id], offsets[id + 1]);
      const stripped = raw.length > 0 ? stripGlyph(raw) : raw;
      const record = Buffer.alloc((stripped.length + 3) & ~3);
      stripped.copy(record);
      const componentAt: number[] = [];
      const components: number[] = [];
      if (record.length > 0 && record.readInt16BE(0) < 0) {
        let p = 10;
        let flags: number;
        do {
          flags = record.readUInt16BE(p);
          componentAt.push(p + 2);
          components.push(record.readUInt16BE(p + 2));
          p += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
          if (flags & WE_HAVE_A_SCALE) p += 2;
          else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) p += 4;
          else if (flags & WE_HAVE_A_TWO_BY_TWO) p += 8;
        } while (flags & MORE_COMPONENTS);
      }
      const glyph = this.font.getGlyph(id);
      part = { record, componentAt, components, advance: glyph.advanceWidth, bearing: glyph._getMetrics().leftBearing };
      this.parts.set(id, part);
    }
    return part;
  }
}

/** An sfnt file's tables by tag. */
function tablesOf(font: Buffer): Map<string, Buffer> {
  const tables = new Map<string, Buffer>();
  const count = font.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const entry = 12 + 16 * i;
    const offset = font.readUInt32BE(entry + 8);
    tables.set(font.toString('latin1', entry, entry + 4), font.subarray(offset, offset + font.readUInt32BE(entry + 12)));
  }
  return tables;
}
