import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';

interface PdfkitPdfA {
  ref(data: Record<string, unknown>): { end(chunk?: Uint8Array): void };
  _root: { data: Record<string, unknown> };
  _addColorOutputIntent(): void;
}

let deflatedProfile: Buffer | undefined;

/**
 * PDF/A's output intent with the sRGB profile pdfkit ships, deflated once per
 * process instead of in every document. The same objects pdfkit 0.20's
 * `_addColorOutputIntent` writes, which this replaces on one document.
 */
export function usePrecompressedOutputIntent(pdf: PDFKit.PDFDocument): void {
  // A shared function rather than a closure over this document (see collectText in invoice-pdf-document.ts).
  (pdf as unknown as PdfkitPdfA)._addColorOutputIntent = addPrecompressedOutputIntent;
}

function addPrecompressedOutputIntent(this: PdfkitPdfA): void {
  deflatedProfile ??= deflateSync(readFileSync(join(dirname(require.resolve('pdfkit')), 'data', 'sRGB_IEC61966_2_1.icc')));
  const profile = this.ref({ N: 3, Filter: 'FlateDecode' });
  profile.end(deflatedProfile);
  const intent = this.ref({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    Info: new String('sRGB IEC61966-2.1'),
    OutputConditionIdentifier: new String('sRGB IEC61966-2.1'),
    DestOutputProfile: profile,
  });
  intent.end();
  this._root.data.OutputIntents = [intent];
}
