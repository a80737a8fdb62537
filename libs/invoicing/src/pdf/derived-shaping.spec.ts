import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RawLayout, ShapingFont, WordShaper } from './derived-shaping';
import { seededRandom } from '@app/dev-servers';

/** Fresh fonts (not the process-wide ones, whose layout is already cached and derived): fontkit's own shaping. */
function font(file: string): ShapingFont & { layout: RawLayout } {
  const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(data: Uint8Array): ShapingFont & { layout: RawLayout } };
  return fontkit.create(readFileSync(join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', file)));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));
/** The fixed subset's characters, Latin Extended-A, Romanian's, some Greek and Cyrillic, combining marks and the specials. */
const CHARACTERS = [
  ...range(0x20, 0x7e),
  ...range(0xa0, 0x17f),
  ...range(0x218, 0x21b),
  ...'\u0301\u0307\u0308\u0327\u0328\u2009\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2022\u2026\u202f\u20ac\u2044\u200b\ufe0fΑθηνάДмитрий',
];

describe('words shaped from their letter pairs (WordShaper) are shaped as fontkit shapes them', () => {
  describe.each(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'])('%s', (file) => {
    const f = font(file);
    const layout = f.layout.bind(f);
    const shaper = WordShaper.for(f, layout)!;
    let derived = 0;
    let compared = 0;
    const same = (word: string) => {
      const mine = shaper.shape(word);
      compared++;
      if (!mine) return true;
      derived++;
      const theirs = layout(word);
      return (
        mine.glyphs.length === theirs.glyphs.length &&
        mine.glyphs.every((g, i) => g === theirs.glyphs[i]) &&
        JSON.stringify(mine.positions) === JSON.stringify(theirs.positions.map((p) => ({ ...p })))
      );
    };

    it('the font is one the derivation vouches for', () => {
      expect(shaper).not.toBeNull();
    });

    it('every pair of characters, and each alone', () => {
      const wrong: string[] = [];
      for (const a of CHARACTERS) {
        if (!same(a)) wrong.push(a);
        for (const b of CHARACTERS) if (!same(a + b)) wrong.push(a + b);
      }
      expect(wrong).toEqual([]);
    });

    it('30,000 random words of 3 to 14 characters, mostly Latin letters', () => {
      const next = seededRandom(file.length);
      const letters = [...range(0x61, 0x7a), ...range(0x41, 0x5a), ...'éèêëàâäçîïôöùûüÿœæ'];
      const wrong: string[] = [];
      derived = 0;
      compared = 0;
      for (let n = 0; n < 30_000; n++) {
        const length = 3 + Math.floor(next() * 12);
        let word = '';
        for (let i = 0; i < length; i++) {
          const pool = next() < 0.8 ? letters : CHARACTERS;
          word += pool[Math.floor(next() * pool.length)];
        }
        if (next() < 0.3) word += ' ';
        if (!same(word)) wrong.push(word);
      }
      expect(wrong).toEqual([]);
      // Not an empty proof: most such words are derived (those with "f" ligatures, "i"/"j" before a mark or a
      // character outside Latin and common scripts are not).
      expect(derived / compared).toBeGreaterThan(0.6);
    });

    it('names, emails, references and amounts as invoices print them', () => {
      const words = 'Élodie Martin elodie@example.com BENCH-2026-001000 RES-2EWORS-GL 1 234,56 € €1,234.56 Łukasz Wójcik Dvořák İstanbul Ștefan Mărășești Szőke officiel fiscal Wifi affiche AVATAR Tâche Yvette T.V.A. « Total » n° 12bis 75018 Paris'.split(' ');
      expect(words.filter((w) => !same(w) || !same(`${w} `))).toEqual([]);
    });
  });
});
