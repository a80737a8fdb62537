import { createRequire } from 'node:module';
import { RecentCache } from './recent-cache';

/**
 * A word shaped from the shaping of its letter pairs, when the font's own tables prove it equal to shaping the whole
 * word: fontkit's layout of a new word (a customer's name, an email, an order reference) costs 20-50 µs in GSUB and
 * GPOS lookups, and each invoice brings a few. See WordShaper.
 */

/** fontkit 2 internals read here (not typed by fontkit). */
type Coverage = { version: 1; glyphs: number[] } | { version: 2; rangeRecords: { start: number; end: number; startCoverageIndex: number }[] };
type ClassDef = { version: 1; startGlyph: number; classValueArray: number[] } | { version: 2; classRangeRecord: { start: number; end: number; class: number }[] };
interface LookupFlags {
  flags: { ignoreBaseGlyphs: boolean; ignoreLigatures: boolean };
}
interface Lookup {
  lookupType: number;
  flags: LookupFlags;
  subTables: unknown;
}
interface LayoutTable {
  featureList: { tag: string; feature: { lookupListIndexes: number[] } }[];
  lookupList: { get(index: number): Lookup };
}
/** A subtable as fontkit decodes it; only the fields of its type are there. */
interface SubTable {
  version: number;
  coverage?: Coverage;
  coverages?: Coverage[];
  inputCoverage?: Coverage[];
  lookaheadCoverage?: Coverage[];
  markCoverage?: Coverage;
  mark1Coverage?: Coverage;
  ligatureSets?: { get(index: number): { components: number[] }[] };
  chainRuleSets?: ArrayLike<{ input: number[]; lookahead: number[] }[]>;
  chainClassSet?: ArrayLike<{ input: number[]; lookahead: number[] }[] | null>;
  inputClassDef?: ClassDef;
  lookaheadClassDef?: ClassDef;
  valueFormat2?: Record<string, boolean>;
  lookupType?: number;
  extension?: SubTable;
}
interface Glyph {
  id: number;
}
interface Position {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
}
export interface ShapingFont {
  GSUB?: LayoutTable;
  GPOS?: LayoutTable;
  GDEF?: { glyphClassDef?: ClassDef };
  morx?: unknown;
  _variationProcessor?: unknown;
  glyphForCodePoint(codePoint: number): Glyph;
}
export type RawLayout = (text: string, features?: unknown, script?: string) => { glyphs: Glyph[]; positions: Position[]; features: Record<string, boolean> };

/** What a word's shaping is made of in the shared cache (fonts.ts). */
export interface DerivedRun {
  glyphs: Glyph[];
  positions: Position[];
}

/** The Unicode data fontkit detects a text's script with: resolved from fontkit's own folder, as fontkit finds it. */
const fontkitPath = createRequire(require.resolve('pdfkit')).resolve('fontkit');
const { getScript } = createRequire(fontkitPath)('unicode-properties') as { getScript(codePoint: number): string };

/** fontkit's tags for words whose first script is Latin, or that have none (digits, punctuation): DefaultShaper both. */
const SCRIPTS = { Latin: 'latn', none: 'zzzz' } as const;

/** Pairs of code points kept shaped, per font and script (see RecentCache). */
const PAIRS_PER_GENERATION = 20_000;

/**
 * What can happen to a word under one script's features, read from the font's GSUB and GPOS:
 * - `touched`: glyphs a substitution or a single, cursive, mark or contextual positioning lookup may start at;
 * - `ligatures` and `chains`: lookups that start at a glyph only when the glyphs after it follow a rule (checked on the
 *   word as it stands, backtrack left out: a rule whose input and lookahead are in the word counts as applying).
 * Pair positioning (kerning) is left out: it adjusts a glyph by the pair it forms with the next one, the whole of
 * which the shaping of that pair gives (proved for lookups whose second value record is empty, so that no glyph is
 * skipped or moved by the one before it; otherwise the font is not derived at all).
 */
interface ScriptRules {
  tag: string;
  touched: Set<number>;
  ligatures: { first: Set<number>; rules: Map<number, number[][]> }[];
  chains: { first: Set<number>; applies(glyphs: number[], at: number): boolean }[];
}

/**
 * Shapes a word from its pairs: for a word whose glyphs no substitution, no mark and no contextual lookup can touch,
 * fontkit's result is the glyphs of its code points, each advanced by its width plus the kerning with the next glyph
 * (pair positioning and the legacy kern table both go pair by pair). That adjustment is exactly what fontkit gives the
 * first glyph of the two-letter string, shaped under the word's script. Words outside Latin and common characters,
 * with marks, variation selectors, default ignorables or fraction slashes are not derived (null): the caller shapes
 * them with fontkit. derived-shaping.spec.ts compares both ways on every pair of the fixed subset and random words.
 */
export class WordShaper {
  /** By script, first and second code point (see pairKey). */
  private readonly pairs = new RecentCache<number, Position | null>(PAIRS_PER_GENERATION);
  /** By script: glyphs that make a word not derivable (touched, or marks), and glyphs a rule starts at. */
  private readonly blocked: Record<keyof typeof SCRIPTS, Set<number>>;
  private readonly ruleStarts: Record<keyof typeof SCRIPTS, Set<number>>;

  private constructor(
    private readonly font: ShapingFont,
    private readonly layout: RawLayout,
    marks: ClassDef,
    private readonly rules: Record<keyof typeof SCRIPTS, ScriptRules>,
  ) {
    const markIds = classMembers(marks, 3);
    this.blocked = { Latin: new Set([...rules.Latin.touched, ...markIds]), none: new Set([...rules.none.touched, ...markIds]) };
    this.ruleStarts = { Latin: startsOf(rules.Latin), none: startsOf(rules.none) };
  }

  /** null when the font has something the derivation does not model (then every word goes to fontkit). */
  static for(font: ShapingFont, layout: RawLayout): WordShaper | null {
    const marks = font.GDEF?.glyphClassDef;
    if (font.morx || font._variationProcessor || !marks) return null;
    const rules = {} as Record<keyof typeof SCRIPTS, ScriptRules>;
    for (const [script, tag] of Object.entries(SCRIPTS) as [keyof typeof SCRIPTS, string][]) {
      // Every feature fontkit applies under this script (its plan: global and local features, then GPOS's).
      const features = new Set(Object.keys(layout(script === 'Latin' ? 'a' : '1', [], tag).features));
      const found = rulesOf(font, tag, features);
      if (!found) return null;
      rules[script] = found;
    }
    return new WordShaper(font, layout, marks, rules);
  }

  /** The word as fontkit would shape it, or null when it cannot be derived. */
  shape(word: string): DerivedRun | null {
    const codePoints: number[] = [];
    let script: keyof typeof SCRIPTS = 'none';
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      if (!derivable(c)) return null;
      if (script === 'none') {
        const s = getScript(c);
        if (s === 'Latin') script = 'Latin';
        else if (s !== 'Common' && s !== 'Inherited' && s !== 'Unknown') return null;
      }
      codePoints.push(c);
    }
    if (codePoints.length === 0) return null;
    const rules = this.rules[script];
    const blocked = this.blocked[script];
    const starts = this.ruleStarts[script];
    const glyphs = codePoints.map((c) => this.font.glyphForCodePoint(c));
    const ids = glyphs.map((g) => g.id);
    for (const id of ids) if (blocked.has(id)) return null;
    for (let at = 0; at < ids.length; at++) {
      if (!starts.has(ids[at])) continue;
      for (const { first, rules: sequences } of rules.ligatures) {
        if (!first.has(ids[at])) continue;
        for (const components of sequences.get(ids[at]) ?? []) {
          if (components.every((id, k) => ids[at + 1 + k] === id)) return null;
        }
      }
      for (const chain of rules.chains) if (chain.first.has(ids[at]) && chain.applies(ids, at)) return null;
    }
    const positions: Position[] = [];
    for (let i = 0; i < codePoints.length; i++) {
      const position = this.pairPosition(script, codePoints[i], codePoints[i + 1], ids[i], ids[i + 1]);
      if (!position) return null;
      positions.push({ ...position });
    }
    return { glyphs, positions };
  }

  /** The first glyph's position in fontkit's shaping of the pair (or of the last letter alone), null if unexpected. */
  private pairPosition(script: keyof typeof SCRIPTS, a: number, b: number | undefined, idA: number, idB: number | undefined): Position | null {
    // A number rather than a string: no string to build and hash for every letter of a word.
    const key = ((script === 'Latin' ? 0 : 0x10000) + a) * 0x10001 + (b === undefined ? 0 : b + 1);
    let position = this.pairs.get(key);
    if (position === undefined) {
      const text = b === undefined ? String.fromCharCode(a) : String.fromCharCode(a, b);
      const run = this.layout(text, [], this.rules[script].tag);
      const expected = b === undefined ? [idA] : [idA, idB];
      position = run.glyphs.length === expected.length && run.glyphs.every((g, i) => g.id === expected[i]) ? { ...run.positions[0] } : null;
      this.pairs.set(key, position);
    }
    return position;
  }
}

/**
 * Code points the derivation takes: the Basic Multilingual Plane less surrogates, fontkit's default ignorables (it
 * draws them as zero-width spaces), variation selectors (they change the glyph of the code point before) and the
 * fraction slash (it turns on fraction features around it).
 */
function derivable(c: number): boolean {
  if (c >= 0xd800 && c <= 0xdfff) return false;
  if (c === 0x00ad || c === 0x034f || c === 0x061c || c === 0x2044 || c === 0xfeff) return false;
  if ((c >= 0x17b4 && c <= 0x17b5) || (c >= 0x180b && c <= 0x180e)) return false;
  if ((c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f)) return false;
  if ((c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xfff0 && c <= 0xfff8)) return false;
  return true;
}

/** The rules of every lookup of the given features, in any script or language of the font (a superset). */
function rulesOf(font: ShapingFont, tag: string, features: Set<string>): ScriptRules | null {
  const rules: ScriptRules = { tag, touched: new Set(), ligatures: [], chains: [] };
  for (const [table, kind] of [
    [font.GSUB, 'GSUB'],
    [font.GPOS, 'GPOS'],
  ] as const) {
    if (!table) continue;
    const lookups = new Set<number>();
    for (const { tag: feature, feature: f } of table.featureList) if (features.has(feature)) f.lookupListIndexes.forEach((i) => lookups.add(i));
    for (const index of lookups) {
      const lookup = table.lookupList.get(index);
      // Flags that skip other glyphs than marks would make "the next glyph" another one than the next in the word.
      const skipsNonMarks = lookup.flags.flags.ignoreBaseGlyphs || lookup.flags.flags.ignoreLigatures;
      for (const sub of arrayOf<SubTable>(lookup.subTables)) {
        if (!addRules(rules, kind, lookup.lookupType, sub, skipsNonMarks)) return null;
      }
    }
  }
  return rules;
}

/** false when the subtable is of a kind the derivation cannot vouch for. */
function addRules(rules: ScriptRules, kind: 'GSUB' | 'GPOS', type: number, sub: SubTable, skipsNonMarks: boolean): boolean {
  const touch = (coverage: Coverage | undefined) => {
    if (!coverage) return false;
    for (const id of glyphsOf(coverage)) rules.touched.add(id);
    return true;
  };
  if ((kind === 'GSUB' && type === 7) || (kind === 'GPOS' && type === 9)) {
    return !!sub.extension && sub.lookupType !== undefined && addRules(rules, kind, sub.lookupType, sub.extension, skipsNonMarks);
  }
  if (kind === 'GSUB') {
    if (type === 4 && !skipsNonMarks && sub.ligatureSets && sub.coverage) {
      const sequences = new Map<number, number[][]>();
      for (const [id, i] of coverageIndexes(sub.coverage)) sequences.set(id, arrayOf<{ components: number[] }>(sub.ligatureSets!.get(i)).map((l) => [...l.components]));
      rules.ligatures.push({ first: new Set(sequences.keys()), rules: sequences });
      return true;
    }
    if (type === 6 && !skipsNonMarks) return addChain(rules, sub);
    return touch(sub.coverage ?? sub.coverages?.[0] ?? sub.inputCoverage?.[0]);
  }
  switch (type) {
    case 2:
      // Pair positioning moves only the first glyph, and fontkit then goes on from the second: derived by pairs.
      return !skipsNonMarks && !!sub.valueFormat2 && !Object.values(sub.valueFormat2).some(Boolean);
    case 4:
    case 5:
      return touch(sub.markCoverage);
    case 6:
      return touch(sub.mark1Coverage);
    default:
      return touch(sub.coverage ?? sub.coverages?.[0] ?? sub.inputCoverage?.[0]);
  }
}

/** A chaining contextual substitution: applies where a rule's input and lookahead follow in the word. */
function addChain(rules: ScriptRules, sub: SubTable): boolean {
  if (sub.version === 1 && sub.coverage && sub.chainRuleSets) {
    const sets = sub.chainRuleSets;
    const byGlyph = new Map([...coverageIndexes(sub.coverage)].map(([id, i]) => [id, arrayOf<{ input: number[]; lookahead: number[] }>(sets[i])]));
    rules.chains.push({
      first: new Set(byGlyph.keys()),
      applies: (ids, at) => (byGlyph.get(ids[at]) ?? []).some((rule) => [...rule.input, ...rule.lookahead].every((id, k) => ids[at + 1 + k] === id)),
    });
    return true;
  }
  if (sub.version === 2 && sub.coverage && sub.chainClassSet && sub.inputClassDef && sub.lookaheadClassDef) {
    const first = new Set(glyphsOf(sub.coverage));
    const { inputClassDef: input, lookaheadClassDef: lookahead, chainClassSet: sets } = sub;
    const applies = (ids: number[], at: number) => {
      const set = sets[classOf(ids[at], input)];
      return !!set && arrayOf<{ input: number[]; lookahead: number[] }>(set).some((rule) => {
        const inputMatches = rule.input.every((c, k) => at + 1 + k < ids.length && classOf(ids[at + 1 + k], input) === c);
        const from = at + 1 + rule.input.length;
        return inputMatches && rule.lookahead.every((c, k) => from + k < ids.length && classOf(ids[from + k], lookahead) === c);
      });
    };
    rules.chains.push({ first, applies });
    return true;
  }
  if (sub.version === 3 && sub.inputCoverage && sub.lookaheadCoverage) {
    const sequence = [...sub.inputCoverage, ...sub.lookaheadCoverage].map((c) => new Set(glyphsOf(c)));
    const applies = (ids: number[], at: number) => sequence.every((glyphs, k) => at + k < ids.length && glyphs.has(ids[at + k]));
    rules.chains.push({ first: sequence[0] ?? new Set<number>(), applies });
    return true;
  }
  return false;
}

function glyphsOf(coverage: Coverage): number[] {
  return [...coverageIndexes(coverage).keys()];
}

/** Glyph id -> coverage index, as fontkit's coverageIndex finds it. */
function coverageIndexes(coverage: Coverage): Map<number, number> {
  const indexes = new Map<number, number>();
  if (coverage.version === 1) coverage.glyphs.forEach((id, i) => indexes.set(id, i));
  else for (const { start, end, startCoverageIndex } of coverage.rangeRecords) for (let id = start; id <= end; id++) indexes.set(id, startCoverageIndex + id - start);
  return indexes;
}

/** fontkit's OTProcessor.getClassID: 0 for a glyph the definition does not list. */
function classOf(id: number, def: ClassDef): number {
  if (def.version === 1) {
    const i = id - def.startGlyph;
    return i >= 0 && i < def.classValueArray.length ? def.classValueArray[i] : 0;
  }
  for (const range of def.classRangeRecord) if (range.start <= id && id <= range.end) return range.class;
  return 0;
}

/** Glyphs a ligature or a chaining rule may start at: only there are the rules checked. */
function startsOf(rules: ScriptRules): Set<number> {
  const starts = new Set<number>();
  for (const { first } of rules.ligatures) for (const id of first) starts.add(id);
  for (const chain of rules.chains) for (const id of chain.first) starts.add(id);
  return starts;
}

/** The glyphs a class definition puts in `cls` (class 0, the rest, is not asked for). */
function classMembers(def: ClassDef, cls: number): number[] {
  const ids: number[] = [];
  if (def.version === 1) def.classValueArray.forEach((c, i) => c === cls && ids.push(def.startGlyph + i));
  else for (const range of def.classRangeRecord) if (range.class === cls) for (let id = range.start; id <= range.end; id++) ids.push(id);
  return ids;
}

/** fontkit's lazily decoded arrays, or plain ones. */
function arrayOf<T>(list: unknown): T[] {
  if (Array.isArray(list)) return list as T[];
  const lazy = list as { toArray?(): T[]; length: number; get?(i: number): T };
  if (lazy.toArray) return lazy.toArray();
  return Array.from({ length: lazy.length }, (_, i) => lazy.get!(i));
}
