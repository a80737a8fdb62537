import { ciiInvoiceXml } from '../facturx/cii-invoice-xml';
import { FACTURX_FILE_NAME, facturxXmp } from '../facturx/facturx-xmp';
import { InvoiceFigures, invoiceFigures } from '../invoice-figures';
import { attachFile } from './facturx-attachment';
import { PdfkitEmbeddedFont, useFixedSubset } from './fixed-font-subset';
import { usePrecompressedOutputIntent } from './pdfa-output-intent';
import { FONT_BOLD, FONT_REGULAR, InvoiceFonts, loadInvoiceFonts } from './fonts';
import type { InvoiceDocument } from './invoice-document';
import { invoiceLabels } from './invoice-labels';
import { InvoiceLayout } from './invoice-layout';
import { InvoicePdfDocument } from './invoice-pdf-document';
import { useSharedWordWidths } from './invoice-text';
import { drawFooters, drawStagingMark } from './invoice-page-marks';
import { PAGE } from './invoice-theme';

const PDF_LANG = { fr: 'fr-FR', en: 'en-GB' } as const;

export interface RenderedInvoice {
  pdf: Buffer;
  /** The CII XML embedded as factur-x.xml. */
  xml: string;
  figures: InvoiceFigures;
}

/** Not a Nest provider: the render thread (render-thread.ts) loads it without Nest. */
export class InvoicePdfRenderer {
  private fonts: InvoiceFonts | undefined;

  /** Parses the fonts now rather than at the first render (a worker warms its renderer at boot). */
  warm(): void {
    this.fonts ??= loadInvoiceFonts();
  }

  /**
   * Deterministic: the same document always gives the same bytes (the PDF
   * creation date is the issue date), so a re-render after a crash stores an
   * identical file and checksum.
   */
  async render(doc: InvoiceDocument): Promise<Buffer> {
    return (await this.renderFacturX(doc)).pdf;
  }

  /**
   * A Factur-X 1.0 file, profile EN 16931: PDF/A-3b with the CII XML built
   * from the same figures embedded as factur-x.xml (AFRelationship
   * Alternative, listed in the catalog's /AF) and the fx: XMP metadata.
   */
  async renderFacturX(doc: InvoiceDocument): Promise<RenderedInvoice> {
    // Figures first: a bad line throws before any PDF work.
    const figures = invoiceFigures(doc.lines, doc.terms?.prices_include_tax ?? true);
    const xml = ciiInvoiceXml(doc, figures);
    const labels = invoiceLabels(doc.locale);
    const title = doc.kind === 'credit_note' ? labels.creditNoteTitle : labels.title;
    this.fonts ??= loadInvoiceFonts();

    const pdf = new InvoicePdfDocument({
      size: 'A4',
      margins: { top: PAGE.marginTop, bottom: PAGE.marginBottom, left: PAGE.marginX, right: PAGE.marginX },
      bufferPages: true,
      subset: 'PDF/A-3b',
      pdfVersion: '1.7',
      autoFirstPage: false,
      // No default font: pdfkit would otherwise build Helvetica's metrics for
      // every document (~1 ms) only for the layout to switch to DejaVu.
      font: '',
      lang: PDF_LANG[doc.locale],
      displayTitle: true,
      info: {
        // pdfkit copies these into the XMP without escaping: only values that cannot contain markup go here.
        Title: `${title} ${doc.number}`,
        Creator: doc.platformName,
        CreationDate: doc.issuedAt,
      },
    });

    pdf.registerFont(FONT_REGULAR, this.fonts.regular as unknown as Buffer);
    pdf.registerFont(FONT_BOLD, this.fonts.bold as unknown as Buffer);
    // pdfkit creates a document's font object on first use: take it now, before any text, to number its glyphs.
    useFixedSubset(pdfFontOf(pdf.font(FONT_REGULAR)), this.fonts.regularSubset);
    useFixedSubset(pdfFontOf(pdf.font(FONT_BOLD)), this.fonts.boldSubset);
    useSharedWordWidths(pdfFontOf(pdf.font(FONT_REGULAR)));
    useSharedWordWidths(pdfFontOf(pdf.font(FONT_BOLD)));
    usePrecompressedOutputIntent(pdf);
    if (doc.environment === 'staging') {
      pdf.on('pageAdded', () => drawStagingMark(pdf, labels.stagingMark));
    }
    pdf.addPage();
    new InvoiceLayout(pdf, doc, figures, labels).draw();
    drawFooters(pdf, `${doc.seller.legal_name} · ${title} ${doc.number}`, labels.page);
    attachFile(pdf, Buffer.from(xml, 'utf8'), {
      name: FACTURX_FILE_NAME,
      subtype: 'text#2Fxml',
      relationship: 'Alternative',
      description: 'Factur-X',
      date: doc.issuedAt,
    });
    pdf.appendXML(facturxXmp());
    pdf.end();
    return { pdf: await pdf.bytes(), xml, figures };
  }
}

/** The font pdfkit made current (a private field of pdfkit 0.20's document). */
function pdfFontOf(pdf: PDFKit.PDFDocument): PdfkitEmbeddedFont {
  return (pdf as unknown as { _font: PdfkitEmbeddedFont })._font;
}

let shared: InvoicePdfRenderer | undefined;

/** For callers outside Nest's container; shares one renderer (and its fonts) per process. */
export function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  shared ??= new InvoicePdfRenderer();
  return shared.render(doc);
}

export function renderFacturX(doc: InvoiceDocument): Promise<RenderedInvoice> {
  shared ??= new InvoicePdfRenderer();
  return shared.renderFacturX(doc);
}
