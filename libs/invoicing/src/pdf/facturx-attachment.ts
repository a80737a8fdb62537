import { createHash } from 'node:crypto';
import { compressAndFinalize, PdfkitReference } from './invoice-pdf-document';

/** The pdfkit document internals used (pdfkit 0.20). */
interface PdfkitFiles {
  ref(data: Record<string, unknown>): PdfkitReference;
  addNamedEmbeddedFile(name: string, ref: unknown): void;
  _root: { data: { AF?: unknown[] } };
}

export interface AttachedFile {
  name: string;
  /** PDF name of the MIME type, escaped as pdfkit escapes it ('text#2Fxml'). */
  subtype: string;
  relationship: 'Alternative' | 'Data' | 'Source' | 'Supplement' | 'Unspecified';
  description: string;
  date: Date;
}

/**
 * What `pdf.file(bytes, options)` writes (the embedded file stream, its
 * file specification, the EmbeddedFiles name tree entry and the catalog's
 * /AF entry), with the MD5 CheckSum from node's crypto: pdfkit computes it
 * in JavaScript, a twentieth of a render for a 14 KB factur-x.xml.
 */
export function attachFile(pdf: PDFKit.PDFDocument, bytes: Buffer, file: AttachedFile): void {
  const doc = pdf as unknown as PdfkitFiles;
  const stream = doc.ref({
    Type: 'EmbeddedFile',
    Params: {
      CreationDate: file.date,
      ModDate: file.date,
      CheckSum: new String(createHash('md5').update(bytes).digest('hex')),
      Size: bytes.byteLength,
    },
    Subtype: file.subtype,
  });
  stream.write(bytes);
  compressAndFinalize(stream);
  const spec = doc.ref({
    Type: 'Filespec',
    AFRelationship: file.relationship,
    F: new String(file.name),
    EF: { F: stream },
    UF: new String(file.name),
    Desc: new String(file.description),
  });
  spec.end();
  doc.addNamedEmbeddedFile(file.name, spec);
  (doc._root.data.AF ??= []).push(spec);
}
