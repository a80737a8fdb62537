import { deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';

/** The pdfkit 0.20 internals this class replaces or reads (PDFDocument and PDFReference are not typed that far). */
/**
 * zlib's level for the streams a render compresses (page content, factur-x.xml). pdfkit uses zlib's default (6):
 * on an invoice's ~17 KB of page operators and ~14 KB of XML, level 3 takes about half the time (the two were
 * ~0.3 ms of a 2.5 ms render, cache-cold in the render thread) for ~450 bytes more in a ~42 KB file.
 */
const DEFLATE_LEVEL = 3;

export interface PdfkitReference {
  data: Record<string, unknown>;
  buffer: Uint8Array[];
  compress: boolean;
  write(chunk: string | Uint8Array): void;
  end(chunk?: string | Uint8Array): void;
  finalize(): void;
}
interface PdfkitInternals {
  _offset: number;
  page: { content: PdfkitReference };
}

const PdfkitDocument = PDFDocument as unknown as new (options: PDFKit.PDFDocumentOptions) => PDFKit.PDFDocument;

/**
 * A pdfkit document that hands back its file as one Buffer (`bytes()`) instead of streaming it, and keeps each
 * page's content as text until the page ends. Same objects, same bytes as pdfkit writes them: only the way there
 * changes. pdfkit turned every line of the file and every operator of a page into bytes one character at a time in
 * JavaScript (fromBinaryString) and pushed each line of the file through a Readable stream (a 'data' event and a
 * Buffer per line, then Buffer.concat): a fifth of a render and most of its garbage (issue #14).
 */
export class InvoicePdfDocument extends PdfkitDocument {
  // Declared only: pdfkit's constructor writes the file's header through _write before a field initialiser would
  // run, and an initialiser (even to undefined) would then erase it.
  /** Text written since the last binary chunk (streams' bytes), latin1: pdfkit's lines are binary strings. */
  private declare pendingText: string | undefined;
  private declare parts: (string | Uint8Array)[] | undefined;
  private declare output: Buffer | undefined;
  private declare waiting: { resolve(pdf: Buffer): void; reject(err: Error): void } | undefined;

  /** The file, once pdfkit has written its trailer (after `end()`). */
  bytes(): Promise<Buffer> {
    if (this.output) return Promise.resolve(this.output);
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.once('error', reject);
    });
  }

  /** Replaces pdfkit's `_write`: one line of the file, or a stream's bytes. */
  _write(data: string | Uint8Array): void {
    const internals = this as unknown as PdfkitInternals;
    if (typeof data === 'string') {
      this.pendingText = this.pendingText === undefined ? `${data}\n` : `${this.pendingText}${data}\n`;
      internals._offset += data.length + 1;
      return;
    }
    this.parts ??= [];
    if (this.pendingText !== undefined) this.parts.push(this.pendingText);
    this.pendingText = undefined;
    this.parts.push(data);
    internals._offset += data.length;
  }

  /** pdfkit's last call, `push(null)` after the trailer: nothing else reaches it, `_write` being replaced. */
  override push(chunk: unknown): boolean {
    if (chunk !== null) throw new Error('InvoicePdfDocument: unexpected push');
    const parts = this.parts ?? [];
    if (this.pendingText !== undefined) parts.push(this.pendingText);
    let length = 0;
    for (const part of parts) length += part.length;
    const file = Buffer.allocUnsafe(length);
    let offset = 0;
    for (const part of parts) {
      if (typeof part === 'string') offset += file.write(part, offset, 'latin1');
      else {
        file.set(part, offset);
        offset += part.length;
      }
    }
    this.output = file;
    this.parts = undefined;
    this.pendingText = undefined;
    this.waiting?.resolve(file);
    return false;
  }

  /**
   * pdfkit's colour operators for a `#rrggbb` colour, from a process-wide table: pdfkit parses the colour and prints
   * its three components (17-digit fractions) on every call. Other colours take pdfkit's way.
   */
  _setColorCore(color: unknown, stroke: boolean): boolean {
    if (typeof color !== 'string' || !HEX_COLOR.test(color)) return pdfkitSetColorCore.call(this, color, stroke);
    const key = stroke ? `S${color}` : color;
    let operators = colorOperators.get(key);
    if (operators === undefined) {
      const [r, g, b] = [1, 3, 5].map((at) => parseInt(color.slice(at, at + 2), 16) / 255);
      operators = stroke ? `/DeviceRGB CS\n${r} ${g} ${b} SCN` : `/DeviceRGB cs\n${r} ${g} ${b} scn`;
      colorOperators.set(key, operators);
    }
    this.addContent(operators);
    return true;
  }

  override addPage(options?: PDFKit.PDFDocumentOptions): this {
    super.addPage(options);
    collectText((this as unknown as PdfkitInternals).page.content);
    return this;
  }
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
/** At most the layout's few colours, filled and stroked. */
const colorOperators = new Map<string, string>();
const pdfkitSetColorCore = (PdfkitDocument.prototype as unknown as { _setColorCore(color: unknown, stroke: boolean): boolean })._setColorCore;

/** A page's content stream while its operators are collected as text (see collectText). */
interface CollectingContent extends PdfkitReference {
  [TEXT]: string;
}
const TEXT = Symbol('page content text');
const pdfkitWrite = (stream: PdfkitReference, chunk: string | Uint8Array) => Object.getPrototypeOf(stream).write.call(stream, chunk);

/**
 * Keeps a page content stream's operators as one string (pdfkit encodes and stores each one apart) and encodes it
 * once when the page ends. Whatever pdfkit wrote before (the page's first transform, a 'pageAdded' handler's
 * drawing) is already in the stream's buffer, and comes first.
 *
 * The same two functions for every page, the text on the stream itself: a closure per page, stored on the stream,
 * kept each finished document alive through the young-generation collections that followed (V8 keeps what old
 * objects point to, inline-cache feedback included, until a full collection): most of a render's garbage was
 * promoted to the old generation and the render thread ran twice as many full collections.
 */
function collectText(content: PdfkitReference): void {
  const collecting = content as CollectingContent;
  collecting[TEXT] = '';
  collecting.write = writeCollected;
  collecting.end = endCollected;
}

function writeCollected(this: CollectingContent, chunk: string | Uint8Array): void {
  if (typeof chunk === 'string') this[TEXT] += `${chunk}\n`;
  else {
    flushCollected(this);
    pdfkitWrite(this, chunk);
  }
}

function endCollected(this: CollectingContent, chunk?: string | Uint8Array): void {
  if (chunk !== undefined) this.write(chunk);
  flushCollected(this);
  compressAndFinalize(this);
}

function flushCollected(content: CollectingContent): void {
  if (content[TEXT]) pdfkitWrite(content, Buffer.from(content[TEXT], 'latin1'));
  content[TEXT] = '';
}

/**
 * Ends a stream pdfkit would compress (written, not ended), compressed here at DEFLATE_LEVEL: the dictionary
 * pdfkit wrote stays as it is (Filter FlateDecode; Length set from the compressed bytes when the object is written).
 */
export function compressAndFinalize(stream: PdfkitReference): void {
  if (stream.compress && stream.buffer.length > 0) {
    const raw = stream.buffer.length === 1 ? stream.buffer[0] : Buffer.concat(stream.buffer);
    stream.buffer = [deflateSync(raw, { level: DEFLATE_LEVEL })];
    stream.compress = false;
  }
  stream.finalize();
}
