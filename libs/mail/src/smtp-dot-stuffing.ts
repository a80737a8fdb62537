import type { TransformCallback } from 'node:stream';
import DataStream from 'nodemailer/lib/smtp-connection/data-stream';

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const INSERT_LF = Buffer.from('\n');
const INSERT_LF_DOT = Buffer.from('\n.');
const INSERT_CR = Buffer.from('\r');
const INSERT_DOT = Buffer.from('.');

type Stuffing = DataStream & { _transform(chunk: Buffer | string, encoding: BufferEncoding, done: TransformCallback): void };

/**
 * nodemailer's SMTP DATA escaping (data-stream.js) with the same output, byte for byte: a bare CR or LF becomes CRLF
 * and a dot starting a line is doubled. nodemailer tests every byte of the message in JavaScript, about 0.6 ms of
 * the worker's CPU per customer email (the base64 PDF is most of its bytes); a byte can only need a change at a CR,
 * an LF or just after one, so this finds those with Buffer#indexOf (native) and looks at nothing else.
 */
function transform(this: Stuffing, input: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
  if (!input || !input.length) return done();
  const chunk = typeof input === 'string' ? Buffer.from(input) : input;
  const len = chunk.length;
  const lastByte = this.lastByte;
  // A chunk whose lines all end in CRLF and start with no dot needs nothing, unless the stream's previous byte
  // changes its first one (a CR left open, or the start of a line before a dot): the loop below decides that case.
  if (lineSafe.has(chunk) && lastByte !== CR && !(chunk[0] === DOT && (lastByte === LF || lastByte === false))) {
    this.inByteCount += len;
    this.outByteCount += len;
    this.lastByte = chunk[len - 1];
    this.push(chunk);
    return done();
  }
  this.inByteCount += len;
  const chunks: Buffer[] = [];
  let chunklen = 0;
  let lastPos = 0;
  let checked = -1;
  // The same three rules as nodemailer's loop, for one position, `prev` being the byte before it in the stream.
  const check = (i: number): void => {
    if (i <= checked || i >= len) return;
    checked = i;
    const byte = chunk[i];
    const prev = i ? chunk[i - 1] : lastByte;
    let insert: Buffer | null = null;
    if (prev === CR && byte !== LF) insert = byte === DOT ? INSERT_LF_DOT : INSERT_LF;
    else if (byte === LF && prev !== CR) insert = INSERT_CR;
    else if (byte === DOT && (prev === LF || prev === false)) insert = INSERT_DOT;
    if (!insert) return;
    if (i > lastPos) {
      const piece = chunk.subarray(lastPos, i);
      chunks.push(piece);
      chunklen += piece.length;
    }
    chunks.push(insert);
    chunklen += insert.length;
    lastPos = i;
  };
  check(0);
  let cr = chunk.indexOf(CR);
  let lf = chunk.indexOf(LF);
  while (cr !== -1 || lf !== -1) {
    if (cr !== -1 && (lf === -1 || cr < lf)) {
      check(cr + 1);
      cr = chunk.indexOf(CR, cr + 1);
    } else {
      check(lf);
      check(lf + 1);
      lf = chunk.indexOf(LF, lf + 1);
    }
  }
  if (chunks.length) {
    if (lastPos < len) {
      const piece = chunk.subarray(lastPos);
      chunks.push(piece);
      chunklen += piece.length;
    }
    this.outByteCount += chunklen;
    this.push(Buffer.concat(chunks, chunklen));
  } else {
    this.outByteCount += len;
    this.push(chunk);
  }
  this.lastByte = chunk[len - 1];
  done();
}

const lineSafe = new WeakSet<Buffer>();

/**
 * Marks a buffer that SMTP's escaping leaves as it is, so the connection passes it on without looking at its bytes:
 * every CR followed by an LF, every LF preceded by a CR, no line starting with a dot, and it does not end with a CR
 * (base64 in CRLF-separated lines is such a buffer). The caller vouches for it; the buffer must not change after.
 */
export function markSmtpLineSafe(buffer: Buffer): Buffer {
  lineSafe.add(buffer);
  return buffer;
}

export function isSmtpLineSafe(buffer: Buffer): boolean {
  return lineSafe.has(buffer);
}

let installed = false;

/** Puts the faster escaping in place of nodemailer's, once per process (every SMTP connection uses it). */
export function installFastDotStuffing(): void {
  if (installed) return;
  installed = true;
  (DataStream.prototype as Stuffing)._transform = transform;
}
