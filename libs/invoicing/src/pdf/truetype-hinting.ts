/** Tables that only carry hinting: the font programs and the control values they read. */
const HINTING_TABLES = new Set(['cvt ', 'prep', 'fpgm', 'hdmx', 'LTSH', 'VDMX']);

// Composite glyph component flags (OpenType 'glyf').
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;
const WE_HAVE_INSTRUCTIONS = 0x0100;

export interface Table {
  tag: string;
  data: Buffer;
}

/**
 * The same TrueType font without its hinting: the per-glyph instructions and
 * the tables only they use. Hinting snaps outlines to the pixel grid of small
 * screen sizes; a PDF reader draws the outlines (which are unchanged) and
 * DejaVu's instructions were half of each embedded subset's bytes, repeated
 * in every stored invoice.
 */
export function withoutHinting(font: Uint8Array): Buffer {
  const ttf = Buffer.from(font.buffer, font.byteOffset, font.byteLength);
  const tables = new Map<string, Buffer>();
  const count = ttf.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const entry = 12 + 16 * i;
    const offset = ttf.readUInt32BE(entry + 8);
    tables.set(ttf.toString('latin1', entry, entry + 4), ttf.subarray(offset, offset + ttf.readUInt32BE(entry + 12)));
  }
  const head = Buffer.from(tables.get('head')!);
  const maxp = Buffer.from(tables.get('maxp')!);
  const glyf = tables.get('glyf')!;
  const loca = tables.get('loca')!;
  const longOffsets = head.readInt16BE(50) === 1;
  const glyphs = loca.length / (longOffsets ? 4 : 2) - 1;
  const offsetOf = (g: number) => (longOffsets ? loca.readUInt32BE(4 * g) : loca.readUInt16BE(2 * g) * 2);

  const parts: Buffer[] = [];
  const newLoca = Buffer.alloc(4 * (glyphs + 1));
  let at = 0;
  for (let g = 0; g < glyphs; g++) {
    newLoca.writeUInt32BE(at, 4 * g);
    const start = offsetOf(g);
    const end = offsetOf(g + 1);
    if (end <= start) continue;
    const glyph = stripGlyph(glyf.subarray(start, end));
    const padded = Buffer.alloc((glyph.length + 3) & ~3);
    glyph.copy(padded);
    parts.push(padded);
    at += padded.length;
  }
  newLoca.writeUInt32BE(at, 4 * glyphs);
  head.writeInt16BE(1, 50); // long loca offsets
  head.writeUInt32BE(0, 8); // checkSumAdjustment, set below
  if (maxp.readUInt32BE(0) === 0x00010000) maxp.writeUInt16BE(0, 26); // maxSizeOfInstructions

  const kept: Table[] = [];
  for (const [tag, data] of tables) {
    if (HINTING_TABLES.has(tag)) continue;
    const replaced = { head, maxp, glyf: Buffer.concat(parts), loca: newLoca } as Record<string, Buffer>;
    kept.push({ tag, data: replaced[tag] ?? data });
  }
  return assembleFont(ttf.readUInt32BE(0), kept);
}

/** One glyph's record without its instructions. */
export function stripGlyph(glyph: Buffer): Buffer {
  const contours = glyph.readInt16BE(0);
  if (contours >= 0) {
    const lengthAt = 10 + 2 * contours;
    const instructions = glyph.readUInt16BE(lengthAt);
    const out = Buffer.concat([glyph.subarray(0, lengthAt + 2), glyph.subarray(lengthAt + 2 + instructions)]);
    out.writeUInt16BE(0, lengthAt);
    return out;
  }
  // Composite: components, then instructions when a component says so.
  const out = Buffer.from(glyph);
  let p = 10;
  let flags: number;
  do {
    flags = out.readUInt16BE(p);
    out.writeUInt16BE(flags & ~WE_HAVE_INSTRUCTIONS, p);
    p += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
    if (flags & WE_HAVE_A_SCALE) p += 2;
    else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) p += 4;
    else if (flags & WE_HAVE_A_TWO_BY_TWO) p += 8;
  } while (flags & MORE_COMPONENTS);
  return out.subarray(0, p);
}

/** An sfnt file from its tables: directory sorted by tag, 4-byte aligned tables, checksums and head's adjustment. */
export function assembleFont(version: number, tables: Table[]): Buffer {
  tables.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const n = tables.length;
  const entrySelector = Math.floor(Math.log2(n));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + 16 * n);
  header.writeUInt32BE(version, 0);
  header.writeUInt16BE(n, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(n * 16 - searchRange, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  tables.forEach(({ tag, data }, i) => {
    const padded = Buffer.alloc((data.length + 3) & ~3);
    data.copy(padded);
    const entry = 12 + 16 * i;
    header.write(tag, entry, 'latin1');
    header.writeUInt32BE(checksum(padded), entry + 4);
    header.writeUInt32BE(offset, entry + 8);
    header.writeUInt32BE(data.length, entry + 12);
    bodies.push(padded);
    offset += padded.length;
  });
  const font = Buffer.concat([header, ...bodies]);
  const headAt = header.readUInt32BE(12 + 16 * tables.findIndex((t) => t.tag === 'head') + 8);
  font.writeUInt32BE((0xb1b0afba - checksum(font)) >>> 0, headAt + 8);
  return font;
}

function checksum(data: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 3 < data.length; i += 4) sum = (sum + data.readUInt32BE(i)) >>> 0;
  return sum;
}
