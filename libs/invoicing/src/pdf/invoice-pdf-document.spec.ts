import { deflateSync, inflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import { InvoicePdfDocument } from './invoice-pdf-document';

/** A 2×2 RGB PNG, so that the file has binary streams (the image) between its text lines. */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const pixels = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

function draw(pdf: PDFKit.PDFDocument): void {
  pdf.on('pageAdded', () => pdf.rect(0, 0, 20, 20).fill('#c81e1e'));
  pdf.addPage();
  pdf.fillColor('#1f2933').text('Facture — 1 234,56 € (a) \\ b', 50, 50, { width: 200 });
  pdf.image(png(), 50, 100, { fit: [40, 40] });
  pdf.moveTo(50, 200).lineTo(300, 200).lineWidth(0.5).strokeColor('#d5dbe3').stroke();
  pdf.addPage();
  pdf.text('Page 2', 50, 50);
  pdf.switchToPage(0);
  pdf.text('Pied de page', 50, 780);
}

const options: PDFKit.PDFDocumentOptions = { size: 'A4', bufferPages: true, autoFirstPage: false, info: { CreationDate: new Date('2026-11-21T10:15:00Z') } };

async function streamedByPdfkit(opts: PDFKit.PDFDocumentOptions): Promise<Buffer> {
  const pdf = new PDFDocument(opts);
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => pdf.on('end', resolve));
  draw(pdf);
  pdf.end();
  await ended;
  return Buffer.concat(chunks);
}

function collected(opts: PDFKit.PDFDocumentOptions): Promise<Buffer> {
  const pdf = new InvoicePdfDocument(opts);
  draw(pdf);
  pdf.end();
  return pdf.bytes();
}

/** Each object of the file with its stream inflated, and the /Length of compressed streams left out. */
function objectsOf(pdf: Buffer): string[] {
  const text = pdf.toString('latin1');
  return [...text.matchAll(/(\d+ 0 obj\n)([\s\S]*?)\nendobj/g)].map(([, head, body]) => {
    const at = body.indexOf('\nstream\n');
    if (at < 0 || !body.includes('/FlateDecode')) return head + body;
    const start = text.indexOf(body) + at + '\nstream\n'.length;
    const bytes = pdf.subarray(start, start + body.length - at - '\nstream\n'.length - '\nendstream'.length);
    return head + body.slice(0, at).replace(/\/Length \d+/, '') + inflateSync(bytes).toString('latin1');
  });
}

describe('InvoicePdfDocument', () => {
  it('gives the very bytes pdfkit streams for the same drawing (pages, text, an image, pages ended late)', async () => {
    const uncompressed = { ...options, compress: false };
    const bytes = await collected(uncompressed);
    expect(bytes.subarray(0, 9).toString('latin1')).toBe('%PDF-1.3\n');
    expect(bytes.equals(await streamedByPdfkit(uncompressed))).toBe(true);
  });

  it('compresses the page content itself, to the same operators as pdfkit', async () => {
    const ours = objectsOf(await collected(options));
    const pdfkit = objectsOf(await streamedByPdfkit(options));
    expect(ours.some((object) => object.includes(' Tf\n'))).toBe(true);
    expect(ours).toEqual(pdfkit);
  });
});
