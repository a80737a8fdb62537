import DataStream from 'nodemailer/lib/smtp-connection/data-stream';
import { installFastDotStuffing, markSmtpLineSafe } from './smtp-dot-stuffing';

type Transforming = { _transform: (chunk: Buffer, encoding: BufferEncoding, done: () => void) => void };

/** Writes the chunks through a DataStream and returns what it would put on the wire, with its byte counts. */
async function escaped(chunks: Buffer[]): Promise<{ out: Buffer; inBytes: number; outBytes: number }> {
  const stream = new DataStream();
  const parts: Buffer[] = [];
  stream.on('data', (b: Buffer) => parts.push(b));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const c of chunks) stream.write(c);
  stream.end();
  await ended;
  return { out: Buffer.concat(parts), inBytes: stream.inByteCount, outBytes: stream.outByteCount };
}

describe('installFastDotStuffing', () => {
  const original = (DataStream.prototype as unknown as Transforming)._transform;
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };

  it('escapes every message exactly as nodemailer does, however it is cut into chunks', async () => {
    const alphabet = Buffer.from('\r\n.a');
    const cases: Buffer[][] = [];
    for (let n = 0; n < 2000; n++) {
      const message = Buffer.alloc(random(40));
      for (let i = 0; i < message.length; i++) message[i] = alphabet[random(alphabet.length)];
      const chunks: Buffer[] = [];
      for (let at = 0; at < message.length; ) {
        const size = 1 + random(8);
        chunks.push(message.subarray(at, at + size));
        at += size;
      }
      cases.push(chunks);
    }
    cases.push([Buffer.from('Subject: x\r\n\r\n.starts\r\n' + 'QUJD'.repeat(19) + '\r\n..\r\n.\r\nend')]);
    const expected = [];
    for (const c of cases) expected.push(await escaped(c));
    installFastDotStuffing();
    expect((DataStream.prototype as unknown as Transforming)._transform).not.toBe(original);
    for (const [i, c] of cases.entries()) expect(await escaped(c)).toEqual(expected[i]);
  });

  it('passes a line-safe buffer on as it is, and escapes what the stream before it leaves open', async () => {
    installFastDotStuffing();
    const base64 = () => markSmtpLineSafe(Buffer.from('QUJD'.repeat(19) + '\r\n' + 'QUJD'.repeat(19)));
    const safe = base64();
    const passed = new DataStream();
    const out: Buffer[] = [];
    passed.on('data', (b: Buffer) => out.push(b));
    passed.write(Buffer.from('Content-Type: application/pdf\r\n\r\n'));
    passed.write(safe);
    passed.end();
    await new Promise((resolve) => passed.on('end', resolve));
    expect(out[1]).toBe(safe);
    // The same bytes unmarked give the same output; a CR left open or a dot at the start of a line still count.
    const dotted = () => markSmtpLineSafe(Buffer.from('.QUJD\r\nQUJD'));
    for (const chunks of [
      [Buffer.from('a\r\n'), base64()],
      [Buffer.from('a\r'), base64()],
      [Buffer.from('a\n'), dotted()],
      [dotted()],
      [Buffer.from('a'), dotted()],
    ]) {
      const plain = chunks.map((c) => Buffer.from(c));
      expect(await escaped(chunks)).toEqual(await escaped(plain));
      expect((await escaped(chunks)).out.toString()).toBe(Buffer.concat(plain).toString().replace(/\r(?!\n)/g, '\r\n').replace(/(?<!\r)\n/g, '\r\n').replace(/(^|\n)\./g, '$1..') + '\r\n.\r\n');
    }
  });
});
