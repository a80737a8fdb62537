import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RawLayout, ShapingFont, WordShaper } from './derived-shaping';
import { FixedFontSubset, FontkitFont } from './fixed-font-subset';
import { RecentCache } from './recent-cache';

/**
 * A fontkit `Font`, parsed once per process. pdfkit (>= 0.20) accepts one
 * wherever it accepts font bytes, but @types/pdfkit does not say so yet, hence
 * the cast at the call sites.
 */
export interface ParsedFont {
  readonly postscriptName: string;
  layout(text: string, features?: unknown, ...rest: unknown[]): GlyphRunLike;
}

interface GlyphRunLike {
  glyphs: unknown[];
  positions: Record<string, number>[];
  readonly advanceWidth: number;
}

/**
 * Distinct words kept shaped per font and generation (see RecentCache). An invoice has a few hundred words, mostly
 * the same on every invoice; about a kilobyte each (a glyph position object per character), so a generation is a
 * few MB at most.
 */
const LAYOUT_WORDS_PER_GENERATION = 4000;

export interface InvoiceFonts {
  regular: ParsedFont;
  bold: ParsedFont;
  /** The glyphs every invoice may use, numbered and embedded once per process (see FixedFontSubset). */
  regularSubset: FixedFontSubset;
  boldSubset: FixedFontSubset;
}

/** Names the layout uses with `doc.font(...)`. */
export const FONT_REGULAR = 'InvoiceSans';
export const FONT_BOLD = 'InvoiceSans-Bold';

let cached: InvoiceFonts | undefined;

/**
 * Loaded once per process, on first use so that importing the library reads
 * nothing. Given bytes, pdfkit re-parses the font tables in every document:
 * measured at ~60 ms of a ~70 ms invoice with DejaVu's large GSUB/GPOS tables,
 * against ~10 ms with the parsed font shared. Sharing is safe: fontkit only
 * caches tables and glyphs on the Font, each document builds its own subset,
 * and all font work happens synchronously inside one render.
 */
export function loadInvoiceFonts(): InvoiceFonts {
  if (!cached) {
    // DejaVu rather than the PDF standard fonts: those only cover WinAnsi, and
    // Intl's French amounts contain U+202F (narrow no-break space).
    const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    const regular = parseFont(readFileSync(join(dir, 'DejaVuSans.ttf')));
    const bold = parseFont(readFileSync(join(dir, 'DejaVuSans-Bold.ttf')));
    cached = {
      regular,
      bold,
      regularSubset: new FixedFontSubset(regular as FontkitFont),
      boldSubset: new FixedFontSubset(bold as FontkitFont),
    };
  }
  return cached;
}

/**
 * Parsed with the very fontkit pdfkit depends on (resolved from pdfkit's own
 * folder), so the two never disagree on versions and nothing extra needs
 * declaring in package.json.
 */
function parseFont(bytes: Buffer): ParsedFont {
  const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as {
    create(data: Uint8Array): ParsedFont;
  };
  return withDecodedGlyphCache(withSharedLayoutCache(fontkit.create(bytes)));
}

/** One word as fontkit shapes it, in font units; shared by every document: read only. */
export interface ShapedWord {
  glyphs: readonly { id: number; advanceWidth: number }[];
  positions: readonly { xAdvance: number; xOffset: number; yOffset: number }[];
}

const shapedWords = new WeakMap<ParsedFont, (word: string) => ShapedWord>();

/**
 * `font.layout(word)` without the copy each caller of font.layout gets (pdfkit scales its copy in place), for code
 * that only reads it; undefined for a font not loaded here.
 */
export function shapedWord(font: ParsedFont, word: string): ShapedWord | undefined {
  return shapedWords.get(font)?.(word);
}

interface GlyphWithDecode {
  _decode(): unknown;
  __decodeCached?: true;
}

/**
 * Each document embeds a subset of the font, and fontkit's subsetter decodes
 * every glyph's outline again to find composite glyphs' parts: about a third
 * of a render. Glyph objects are already shared on the font; their decoded
 * outline is now too (DejaVu has no variations, which would alter it).
 */
function withDecodedGlyphCache(font: ParsedFont): ParsedFont {
  const withGlyphs = font as ParsedFont & { getGlyph(id: number, codePoints?: number[]): GlyphWithDecode };
  const getGlyph = withGlyphs.getGlyph.bind(font);
  withGlyphs.getGlyph = (id: number, codePoints?: number[]) => {
    const glyph = getGlyph(id, codePoints);
    if (!glyph.__decodeCached) {
      const decode = glyph._decode.bind(glyph);
      let decoded: unknown;
      let done = false;
      glyph._decode = () => {
        if (!done) {
          decoded = decode();
          done = true;
        }
        return decoded;
      };
      glyph.__decodeCached = true;
    }
    return glyph;
  };
  return font;
}

/**
 * pdfkit shapes text word by word and caches the result, but per document;
 * shaping DejaVu (GSUB/GPOS lookups) was the largest cost of a render. The
 * same words ("Total", "TVA", amounts) recur on every invoice, so the shaped
 * runs are kept on the shared font. Each caller gets its own copy of the
 * positions, because pdfkit scales them in place; glyphs are only read.
 */
function withSharedLayoutCache(font: ParsedFont): ParsedFont {
  const layout = font.layout.bind(font);
  // A new word (a name, an email) shaped from its letter pairs when the font's tables allow it (see WordShaper).
  const derived = WordShaper.for(font as unknown as ShapingFont, layout as unknown as RawLayout);
  const cache = new RecentCache<string, { glyphs: unknown[]; positions: Record<string, number>[] }>(LAYOUT_WORDS_PER_GENERATION);
  const shaped = (text: string) => {
    let word = cache.get(text);
    if (!word) {
      const run = derived?.shape(text);
      if (run) word = run as unknown as { glyphs: unknown[]; positions: Record<string, number>[] };
      else {
        const shapedRun = layout(text);
        word = { glyphs: shapedRun.glyphs, positions: shapedRun.positions.map((p) => ({ ...p })) };
      }
      cache.set(text, word);
    }
    return word;
  };
  shapedWords.set(font, shaped as unknown as (word: string) => ShapedWord);
  font.layout = (text: string, features?: unknown, ...rest: unknown[]): GlyphRunLike => {
    // Explicit OpenType features are rare and change the result: not cached.
    if (features !== undefined || rest.length > 0) return layout(text, features, ...rest);
    const word = shaped(text);
    const positions = word.positions.map((p) => ({ ...p }));
    return {
      glyphs: word.glyphs,
      positions,
      get advanceWidth() {
        let width = 0;
        for (const p of positions) width += p.xAdvance;
        return width;
      },
    };
  };
  return font;
}
