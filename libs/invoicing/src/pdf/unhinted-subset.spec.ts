import { FixedFontSubset } from './fixed-font-subset';
import { loadInvoiceFonts } from './fonts';
import { withoutHinting } from './truetype-hinting';
import { seededRandom } from '@app/dev-servers';

describe('a document subset built from stripped glyph records (UnhintedSubsetEncoder)', () => {
  const fonts = loadInvoiceFonts();
  const subsets: [string, FixedFontSubset][] = [
    ['regular', fonts.regularSubset],
    ['bold', fonts.boldSubset],
  ];
  const fontkitProgram = (fixed: FixedFontSubset, extra: number[]) => withoutHinting(fixed.subsetWith(extra).encode());

  it.each(subsets)('%s: the encoder matched fontkit on the fixed subset, so documents use it', (_, fixed) => {
    expect((fixed as unknown as { encoder: unknown }).encoder).not.toBeNull();
  });

  it.each(subsets)('%s: the same bytes as fontkit and withoutHinting for the glyphs of names outside Latin-1', (_, fixed) => {
    const texts = ['Łukasz Żółkiewski', 'Dvořák Černý', 'Şule Yıldız İstanbul', 'Ștefan Mărășești', 'Szőke Ödön', 'Αθηνά Παπαδοπούλου', 'Дмитрий Иванов', 'Nguyễn Thị Hường'];
    for (const text of texts) {
      const extra: number[] = [];
      for (const glyph of fixed.font.layout(text).glyphs as { id: number }[]) {
        if (glyph.id !== 0 && !fixed.cidOf.has(glyph.id) && !extra.includes(glyph.id)) extra.push(glyph.id);
      }
      expect(extra.length).toBeGreaterThan(0);
      expect(fixed.programWith(extra).equals(fontkitProgram(fixed, extra))).toBe(true);
    }
  });

  it.each(subsets)('%s: the same bytes as fontkit for 150 random sets of glyphs from the whole font, composites included', (_, fixed) => {
    const numGlyphs = (fixed.font as unknown as { numGlyphs: number }).numGlyphs;
    const next = seededRandom(fixed.font.postscriptName.length);
    for (let set = 0; set < 150; set++) {
      const extra = new Set<number>();
      const size = 1 + Math.floor(next() * 25);
      while (extra.size < size) {
        const id = 1 + Math.floor(next() * (numGlyphs - 1));
        if (!fixed.cidOf.has(id)) extra.add(id);
      }
      const ids = [...extra];
      expect({ set, ids, same: fixed.programWith(ids).equals(fontkitProgram(fixed, ids)) }).toEqual({ set, ids, same: true });
    }
  });
});
