import { COLORS, FONTS, PAGE } from './invoice-theme';
import { drawLine, lineWidth } from './invoice-text';

/**
 * A red band across the top and a large diagonal mark, so a staging invoice
 * cannot pass for a real one even when printed or cropped. Drawn when the page
 * is added, hence beneath the content.
 */
export function drawStagingMark(pdf: PDFKit.PDFDocument, mark: string): void {
  pdf.save();
  pdf.rect(0, 0, PAGE.width, 22).fill(COLORS.staging);
  pdf.font(FONTS.bold).fontSize(9).fillColor(COLORS.onAccent);
  // drawLine, centred by hand, as the footers: pdf.text ran pdfkit's line wrapper and shaping for this same
  // text twice on every page of every test-mode document (~0.2 ms of the worker's CPU per invoice).
  drawLine(pdf, mark, (PAGE.width - lineWidth(pdf, mark)) / 2, 7);

  const angle = (Math.atan2(PAGE.height, PAGE.width) * 180) / Math.PI;
  const diagonal = Math.hypot(PAGE.width, PAGE.height);
  pdf.font(FONTS.bold).fontSize(100);
  const size = (100 * diagonal * 0.7) / lineWidth(pdf, mark);
  pdf.fontSize(size);
  const width = lineWidth(pdf, mark);
  const cx = PAGE.width / 2;
  const cy = PAGE.height / 2;
  pdf
    .rotate(-angle, { origin: [cx, cy] })
    .fillOpacity(0.1)
    .fillColor(COLORS.staging);
  drawLine(pdf, mark, cx - width / 2, cy - pdf.currentLineHeight() / 2);
  pdf.restore();
}

/** Needs the page count, so it runs once every page exists (bufferPages). */
export function drawFooters(pdf: PDFKit.PDFDocument, left: string, pageLabel: (n: number, total: number) => string): void {
  const { start, count } = pdf.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    pdf.switchToPage(i);
    // Text below the bottom margin would make pdfkit open a new page.
    const bottom = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    pdf
      .moveTo(PAGE.marginX, PAGE.footerY - 8)
      .lineTo(PAGE.width - PAGE.marginX, PAGE.footerY - 8)
      .lineWidth(0.5)
      .strokeColor(COLORS.rule)
      .stroke();
    const width = PAGE.width - 2 * PAGE.marginX;
    pdf.font(FONTS.regular).fontSize(8).fillColor(COLORS.muted);
    // drawLine as the layout does: pdf.text ran pdfkit's line wrapper and shaping for these two short lines on
    // every page of every document. A seller's name too long for its room keeps pdfkit's wrapper, as before.
    if (lineWidth(pdf, left) <= width - 80) drawLine(pdf, left, PAGE.marginX, PAGE.footerY);
    else pdf.text(left, PAGE.marginX, PAGE.footerY, { width: width - 80, lineBreak: false });
    const label = pageLabel(i - start + 1, count);
    drawLine(pdf, label, PAGE.marginX + width - lineWidth(pdf, label.replace(/\s+$/, '')), PAGE.footerY);
    pdf.page.margins.bottom = bottom;
  }
}
