import { createRequire } from 'node:module';
import { loadInvoiceFonts } from './fonts';
import { withoutHinting } from './truetype-hinting';

interface Glyph {
  advanceWidth: number;
  path: { toSVG(): string };
}
interface Font {
  numGlyphs: number;
  getGlyph(id: number): Glyph;
  getTable?(tag: string): unknown;
  directory: { tables: Record<string, unknown> };
}
const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(data: Uint8Array): Font };

describe('TrueType hinting removed from the embedded subsets', () => {
  it.each(['regularSubset', 'boldSubset'] as const)('%s: same glyph outlines and widths, no instructions, half the bytes', (which) => {
    const original = loadInvoiceFonts()[which].subsetWith([]).encode();
    const stripped = withoutHinting(original);
    const before = fontkit.create(original);
    const after = fontkit.create(stripped);
    expect(after.numGlyphs).toBe(before.numGlyphs);
    for (let id = 0; id < before.numGlyphs; id++) {
      expect([id, after.getGlyph(id).path.toSVG(), after.getGlyph(id).advanceWidth]).toEqual([id, before.getGlyph(id).path.toSVG(), before.getGlyph(id).advanceWidth]);
    }
    expect(Object.keys(after.directory.tables).sort()).toEqual(['glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp']);
    expect(stripped.length).toBeLessThan(original.length * 0.6);
    // The whole-font checksum that head.checkSumAdjustment settles.
    let sum = 0;
    for (let i = 0; i < stripped.length; i += 4) sum = (sum + stripped.readUInt32BE(i)) >>> 0;
    expect(sum).toBe(0xb1b0afba);
  });
});
