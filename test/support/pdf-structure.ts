import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFObject,
  PDFRawStream,
  PDFRef,
  PDFStream,
  PDFString,
} from 'pdf-lib';

export interface PdfStructure {
  /** No problem found by `structureProblems`. */
  structureOk: boolean;
  /** What is wrong with the file's structure, one sentence each; empty for a sound file. */
  problems: string[];
  /** From the catalog's /AF, resolved. */
  associatedFiles: { name: string; relationship: string | null; subtype: string | null }[];
  /** Names in the EmbeddedFiles name tree. */
  embeddedNames: string[];
  xmp: string;
  /** The bytes of the embedded factur-x.xml. */
  embeddedXml: string | null;
  pdfVersion: string;
  /** Every font the pages use: its name and whether its program is in the file with a width for each glyph (PDF/A). */
  fonts: { name: string; embedded: boolean; widthsComplete: boolean }[];
}

// Filters pdf-lib can undo; image codecs (DCT, JPX, CCITT, JBIG2) are left to viewers.
const DECODABLE = new Set(['FlateDecode', 'LZWDecode', 'ASCIIHexDecode', 'ASCII85Decode', 'RunLengthDecode']);

/**
 * What a reader relying on the file's own bookkeeping would trip on, in the
 * spirit of `qpdf --check`: header, startxref, every cross-reference entry
 * landing on its object, trailer, every object parsing, every stream's
 * /Length matching its bytes and its filters decoding. pdf-lib alone is
 * forgiving (it scans objects and ignores a broken xref), hence these checks.
 */
export async function structureProblems(pdf: Buffer): Promise<string[]> {
  const problems: string[] = [];
  const text = pdf.toString('latin1');
  if (!/^%PDF-\d\.\d/.test(text)) problems.push('no %PDF-x.y header at offset 0');
  const tail = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text.slice(-1024));
  if (!tail) return [...problems, 'no "startxref <offset> %%EOF" at the end of the file'];

  const entries = new Map<number, { offset: number; generation: number }>();
  let size = 0;
  for (let offset: number | null = Number(tail[1]), hops = 0; offset !== null && hops < 32; hops++) {
    const section = readXrefTable(text, offset);
    if (typeof section === 'string') return [...problems, section];
    for (const [n, e] of section.entries) if (!entries.has(n)) entries.set(n, e);
    size = Math.max(size, section.size);
    offset = section.prev;
  }
  for (const [n, { offset, generation }] of entries) {
    const head = /^\s*(\d+)\s+(\d+)\s+obj\b/.exec(text.slice(offset, offset + 40));
    if (!head || Number(head[1]) !== n || Number(head[2]) !== generation) problems.push(`xref entry for object ${n} ${generation} points at offset ${offset}, where that object does not start`);
    if (n >= size) problems.push(`object ${n} is beyond the trailer's /Size ${size}`);
  }

  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { throwOnInvalidObject: true, updateMetadata: false });
  } catch (err) {
    return [...problems, `objects do not parse: ${(err as Error).message}`];
  }
  if (!(doc.context.trailerInfo.Root instanceof PDFRef) || !(doc.context.lookup(doc.context.trailerInfo.Root) instanceof PDFDict)) problems.push('the trailer has no /Root catalog');
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
    if (!entries.has(ref.objectNumber)) problems.push(`object ${ref.objectNumber} is not in the cross-reference table`);
    if (object instanceof PDFRawStream) problems.push(...streamProblems(doc, ref, object));
  }
  if (doc.getPageCount() < 1) problems.push('the document has no page');
  return problems;
}

function streamProblems(doc: PDFDocument, ref: PDFRef, stream: PDFRawStream): string[] {
  const declared = doc.context.lookupMaybe(stream.dict.get(PDFName.of('Length')), PDFNumber)?.asNumber();
  // pdf-lib takes /Length bytes when "endstream" follows them, else scans for "endstream": a difference means a lie.
  if (declared !== stream.contents.length) return [`stream ${ref.objectNumber}: /Length ${declared} but ${stream.contents.length} bytes before endstream`];
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  const filters = filter instanceof PDFArray ? filter.asArray() : filter ? [filter] : [];
  if (!filters.every((f) => f instanceof PDFName && DECODABLE.has(f.decodeText()))) return [];
  try {
    decodePDFRawStream(stream).decode();
    return [];
  } catch (err) {
    return [`stream ${ref.objectNumber} does not decode: ${(err as Error).message}`];
  }
}

interface XrefSection {
  entries: Map<number, { offset: number; generation: number }>;
  size: number;
  prev: number | null;
}

/** A classic cross-reference table and its trailer (what pdfkit writes); xref streams are reported as unsupported. */
function readXrefTable(text: string, offset: number): XrefSection | string {
  if (!text.startsWith('xref', offset)) return `startxref/Prev ${offset} does not point at an "xref" table`;
  const end = text.indexOf('trailer', offset);
  if (end < 0) return `the xref table at ${offset} has no trailer`;
  const lines = text.slice(offset + 4, end).split(/\r\n|\r|\n/).map((l) => l.trim()).filter(Boolean);
  const entries = new Map<number, { offset: number; generation: number }>();
  for (let i = 0; i < lines.length; ) {
    const sub = /^(\d+) (\d+)$/.exec(lines[i]);
    if (!sub) return `malformed xref subsection header "${lines[i]}"`;
    const [first, count] = [Number(sub[1]), Number(sub[2])];
    for (let k = 0; k < count; k++) {
      const entry = /^(\d{10}) (\d{5}) ([nf])$/.exec(lines[i + 1 + k] ?? '');
      if (!entry) return `malformed xref entry for object ${first + k}: "${lines[i + 1 + k] ?? ''}"`;
      if (entry[3] === 'n') entries.set(first + k, { offset: Number(entry[1]), generation: Number(entry[2]) });
    }
    i += 1 + count;
  }
  const trailer = text.slice(end, end + 2048);
  const size = /\/Size\s+(\d+)/.exec(trailer);
  if (!size) return 'the trailer has no /Size';
  const prev = /\/Prev\s+(\d+)/.exec(trailer);
  return { entries, size: Number(size[1]), prev: prev ? Number(prev[1]) : null };
}

function textOf(value: PDFObject | undefined): string | null {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : null;
}

function nameOf(value: PDFObject | undefined): string | null {
  // As written in PDF syntax but with #xx escapes undone (text#2Fxml is text/xml), as qpdf showed names.
  return value instanceof PDFName ? `/${value.decodeText()}` : null;
}

function bytesOf(doc: PDFDocument, value: PDFObject | undefined): Buffer | null {
  const stream = value instanceof PDFRef ? doc.context.lookup(value) : value;
  if (stream instanceof PDFRawStream) return Buffer.from(decodePDFRawStream(stream).decode());
  if (stream instanceof PDFStream) return Buffer.from(stream.getContents());
  return null;
}

/** Reads the PDF with pdf-lib (not with our own writer's assumptions): structure, catalog /AF, XMP, the attachment. */
export async function pdfStructure(pdf: Buffer): Promise<PdfStructure> {
  const problems = await structureProblems(pdf);
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const catalog = doc.catalog;
  const associatedFiles = (catalog.lookupMaybe(PDFName.of('AF'), PDFArray)?.asArray() ?? []).map((ref) => {
    const spec = doc.context.lookup(ref, PDFDict);
    const file = spec.lookupMaybe(PDFName.of('EF'), PDFDict)?.get(PDFName.of('F'));
    const stream = file ? doc.context.lookup(file) : undefined;
    const subtype = stream instanceof PDFStream ? nameOf(stream.dict.get(PDFName.of('Subtype'))) : null;
    return { name: textOf(spec.lookup(PDFName.of('UF'))) ?? textOf(spec.lookup(PDFName.of('F'))) ?? '', relationship: nameOf(spec.lookup(PDFName.of('AFRelationship'))), subtype };
  });
  const tree = catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const pairs = tree?.lookupMaybe(PDFName.of('Names'), PDFArray)?.asArray() ?? [];
  const embeddedNames: string[] = [];
  let embeddedXml: string | null = null;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = textOf(doc.context.lookup(pairs[i])) ?? '';
    embeddedNames.push(name);
    if (name !== 'factur-x.xml') continue;
    const spec = doc.context.lookup(pairs[i + 1], PDFDict);
    embeddedXml = bytesOf(doc, spec.lookupMaybe(PDFName.of('EF'), PDFDict)?.get(PDFName.of('F')))?.toString('utf8') ?? null;
  }
  const xmp = bytesOf(doc, catalog.get(PDFName.of('Metadata')))?.toString('utf8') ?? '';
  return { structureOk: problems.length === 0, problems, associatedFiles, embeddedNames, xmp, embeddedXml, pdfVersion: pdf.subarray(0, 8).toString('latin1'), fonts: fontsOf(doc) };
}

/** The fonts of every page's resources, followed down to their descriptor (Type0 -> CIDFont -> FontDescriptor). */
function fontsOf(doc: PDFDocument): PdfStructure['fonts'] {
  const fonts = new Map<string, PdfStructure['fonts'][number]>();
  for (const page of doc.getPages()) {
    const dict = page.node.Resources()?.lookupMaybe(PDFName.of('Font'), PDFDict);
    for (const [, ref] of dict?.entries() ?? []) {
      const font = doc.context.lookup(ref, PDFDict);
      const cidFont = font.lookupMaybe(PDFName.of('DescendantFonts'), PDFArray)?.lookup(0, PDFDict) ?? font;
      const descriptor = cidFont.lookupMaybe(PDFName.of('FontDescriptor'), PDFDict);
      const name = nameOf(font.get(PDFName.of('BaseFont'))) ?? '?';
      const embedded = ['FontFile', 'FontFile2', 'FontFile3'].some((key) => (bytesOf(doc, descriptor?.get(PDFName.of(key))) ?? Buffer.alloc(0)).length > 0);
      // /W [0 [w0 w1 ...]]: a gap (null) would leave a glyph without its width.
      const widths = cidFont.lookupMaybe(PDFName.of('W'), PDFArray)?.asArray() ?? [];
      const widthsComplete = widths.every((w) => !(w instanceof PDFArray) || w.asArray().every((n) => n instanceof PDFNumber));
      fonts.set(name, { name, embedded, widthsComplete });
    }
  }
  return [...fonts.values()];
}
