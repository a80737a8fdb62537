import type { InvoiceFigures } from '../invoice-figures';
import type { InvoiceTotals } from '../invoice-totals';
import type { InvoiceAddress, InvoiceDocument } from './invoice-document';
import { InvoiceLabels, paymentMethodLabel } from './invoice-labels';
import { COLORS, CONTENT_WIDTH, FONTS, PAGE } from './invoice-theme';
import { formatCountry, formatDate, formatMoney, formatQuantity, formatUnitPrice, formatVatRate } from './format';
import { drawLine, lineWidth, linesOf } from './invoice-text';
import { legalMentions } from './legal-mentions';

type Align = 'left' | 'right';
interface Column {
  header: string;
  width: number;
  align: Align;
}
interface TextStyle {
  bold?: boolean;
  size: number;
  color?: string;
  align?: Align;
  lineGap?: number;
}

const CELL_PAD_X = 6;
const CELL_PAD_Y = 6;
const RIGHT_BLOCK_WIDTH = 220;
const RIGHT_BLOCK_X = PAGE.marginX + CONTENT_WIDTH - RIGHT_BLOCK_WIDTH;
const BOTTOM = PAGE.height - PAGE.marginBottom;

/**
 * Draws the body of an invoice top to bottom, tracking the cursor itself and
 * breaking pages before a block would cross the bottom margin, so no row or
 * total is ever split across pages. Page marks (footer, staging mark) are
 * drawn by the renderer.
 */
export class InvoiceLayout {
  private y: number = PAGE.marginTop;
  private readonly totals: InvoiceTotals;
  /**
   * The fill colour this page's content last set, so that a run of texts in one colour sets it once (pdfkit
   * writes the colour operators again on every call); null when unknown (a new page, pdfkit's own wrapping).
   */
  private fill: string | null = null;

  constructor(
    private readonly pdf: PDFKit.PDFDocument,
    private readonly doc: InvoiceDocument,
    private readonly figures: InvoiceFigures,
    private readonly labels: InvoiceLabels,
  ) {
    this.totals = figures.totals;
  }

  draw(): void {
    this.header();
    this.buyer();
    this.linesTable();
    this.summary();
    this.notes();
  }

  private header(): void {
    const { seller, locale } = this.doc;
    const { labels } = this;
    const leftWidth = CONTENT_WIDTH - RIGHT_BLOCK_WIDTH - 20;
    let left = this.y;
    if (this.doc.logo) {
      // Fitted in a fixed box so any logo leaves the layout below unchanged.
      this.pdf.image(this.doc.logo, PAGE.marginX, left, { fit: [140, 44] });
      left += 52;
    }
    left = this.write(seller.legal_name, PAGE.marginX, left, leftWidth, { bold: true, size: 13 }) + 4;
    const capital = seller.share_capital != null ? formatMoney(seller.share_capital, this.doc.currency, locale) : null;
    const legal = seller.legal_form || capital ? labels.shareCapital(seller.legal_form ?? null, capital) : null;
    left = this.write(lines([legal, ...addressLines(seller.address, locale)]), PAGE.marginX, left, leftWidth, { size: 9, color: COLORS.muted, lineGap: 1.5 }) + 6;
    const identifiers = [
      seller.siret ? labels.field(labels.siret, seller.siret) : labels.field(labels.siren, seller.siren),
      seller.rcs_city && labels.rcs(seller.rcs_city, seller.siren),
      seller.vat_number && labels.field(labels.vatNumber, seller.vat_number),
      seller.email,
    ];
    left = this.write(lines(identifiers), PAGE.marginX, left, leftWidth, { size: 9, color: COLORS.muted, lineGap: 1.5 });

    const x = RIGHT_BLOCK_X;
    const right = { width: RIGHT_BLOCK_WIDTH, align: 'right' as const };
    const title = this.doc.kind === 'credit_note' ? labels.creditNoteTitle : labels.title;
    let top = this.write(title, x, this.y - 4, right.width, { bold: true, size: 24, color: COLORS.accent, ...right });
    top = this.write(`${labels.number} ${this.doc.number}`, x, top + 4, right.width, { bold: true, size: 10, ...right });
    const issued = formatDate(this.doc.issuedAt, locale);
    const sale = this.doc.kind === 'invoice' && (this.doc.saleDate ?? this.doc.paidAt) ? formatDate((this.doc.saleDate ?? this.doc.paidAt)!, locale) : issued;
    const preceding = this.doc.precedingInvoice;
    const meta = [
      labels.field(labels.issuedOn, issued),
      sale !== issued && labels.field(labels.saleDate, sale),
      this.doc.orderReference && labels.field(labels.orderReference, this.doc.orderReference),
      preceding && labels.creditNoteFor(preceding.number, formatDate(preceding.issued_at, locale)),
    ];
    top = this.write(lines(meta), x, top + 3, right.width, { size: 9, color: COLORS.muted, lineGap: 1.5, ...right });

    this.y = Math.max(left, top) + 24;
  }

  private buyer(): void {
    const { buyer, locale } = this.doc;
    const { labels } = this;
    if (!buyer.name && !buyer.email) return;
    const pad = 10;
    const innerWidth = RIGHT_BLOCK_WIDTH - 2 * pad;
    const caption: TextStyle = { bold: true, size: 8, color: COLORS.muted };
    const details = lines([
      buyer.business ? buyer.contact_name : null,
      ...(buyer.address ? addressLines(buyer.address, locale) : []),
      buyer.siren && labels.field(labels.siren, buyer.siren),
      buyer.vat_number && labels.field(labels.vatNumber, buyer.vat_number),
      buyer.email,
    ]);
    const detailStyle: TextStyle = { size: 9, lineGap: 1 };
    const height =
      this.measure(labels.billedTo.toUpperCase(), innerWidth, caption) +
      4 +
      (buyer.name ? this.measure(buyer.name, innerWidth, { bold: true, size: 10 }) + 1 : 0) +
      (details ? this.measure(details, innerWidth, detailStyle) : 0) +
      2 * pad;
    this.fillRect(RIGHT_BLOCK_X, this.y, RIGHT_BLOCK_WIDTH, height, COLORS.panel);

    let y = this.write(labels.billedTo.toUpperCase(), RIGHT_BLOCK_X + pad, this.y + pad, innerWidth, caption) + 4;
    if (buyer.name) y = this.write(buyer.name, RIGHT_BLOCK_X + pad, y, innerWidth, { bold: true, size: 10 }) + 1;
    if (details) this.write(details, RIGHT_BLOCK_X + pad, y, innerWidth, detailStyle);
    this.y += height + 28;
  }

  private linesTable(): void {
    const { columns: c } = this.labels;
    const fixed: Column[] = [
      { header: c.quantity, width: 40, align: 'right' },
      { header: c.unitPrice, width: 82, align: 'right' },
      { header: c.vatRate, width: 52, align: 'right' },
      { header: c.total, width: 88, align: 'right' },
    ];
    const description = CONTENT_WIDTH - fixed.reduce((sum, col) => sum + col.width, 0);
    const columns: Column[] = [{ header: c.description, width: description, align: 'left' }, ...fixed];
    const { locale, currency } = this.doc;

    this.tableHeader(columns);
    for (const line of this.figures.lines) {
      const cells = [
        line.name,
        formatQuantity(line.quantity, locale),
        formatUnitPrice(line.unit_net, currency, locale),
        formatVatRate(line.vat_rate, locale),
        formatMoney(line.net_amount, currency, locale),
      ];
      const style: TextStyle = { size: 9 };
      const height = Math.max(...cells.map((cell, i) => this.measure(cell, columns[i].width - 2 * CELL_PAD_X, style)));
      const rowHeight = height + 2 * CELL_PAD_Y;
      if (this.y + rowHeight > BOTTOM) {
        this.newPage();
        this.tableHeader(columns);
      }
      this.cells(columns, cells, this.y + CELL_PAD_Y, style);
      this.y += rowHeight;
      this.rule(PAGE.marginX, this.y, CONTENT_WIDTH);
    }
    this.y += 18;
  }

  private tableHeader(columns: Column[]): void {
    const style: TextStyle = { bold: true, size: 8, color: COLORS.onAccent };
    const heights = columns.map((col) => this.measure(col.header, col.width - 2 * CELL_PAD_X, style));
    const inner = Math.max(...heights);
    this.fillRect(PAGE.marginX, this.y, CONTENT_WIDTH, inner + 2 * CELL_PAD_Y, COLORS.accent);
    // Centred vertically: English headers like "Unit price excl. VAT" take two lines.
    let x = PAGE.marginX;
    columns.forEach((col, i) => {
      const y = this.y + CELL_PAD_Y + (inner - heights[i]) / 2;
      this.write(col.header, x + CELL_PAD_X, y, col.width - 2 * CELL_PAD_X, { ...style, align: col.align });
      x += col.width;
    });
    this.y += inner + 2 * CELL_PAD_Y;
  }

  /** VAT per rate on the left, invoice totals on the right, kept together on one page. */
  private summary(): void {
    const { locale, currency } = this.doc;
    const money = (amount: number) => formatMoney(amount, currency, locale);
    const b = this.labels.vatBreakdown;
    const breakdownColumns: Column[] = [
      { header: b.rate, width: 80, align: 'left' },
      { header: b.base, width: 90, align: 'right' },
      { header: b.tax, width: 90, align: 'right' },
    ];
    const rowHeight = 18;
    const breakdownHeight = rowHeight * (this.totals.by_rate.length + 1);
    const totalsHeight = 2 * rowHeight + 8 + 28;
    if (this.y + Math.max(breakdownHeight, totalsHeight) > BOTTOM) this.newPage();
    const top = this.y;

    const muted: TextStyle = { bold: true, size: 8, color: COLORS.muted };
    this.cells(breakdownColumns, breakdownColumns.map((col) => col.header), top + 4, muted, 0);
    let y = top + rowHeight;
    this.rule(PAGE.marginX, y, 260);
    for (const rate of this.totals.by_rate) {
      const values = [formatVatRate(rate.rate, locale), money(rate.base), money(rate.tax)];
      this.cells(breakdownColumns, values, y + 5, { size: 9 }, 0);
      y += rowHeight;
    }

    const x = RIGHT_BLOCK_X;
    const amounts: Column[] = [
      { header: '', width: 110, align: 'left' },
      { header: '', width: RIGHT_BLOCK_WIDTH - 110, align: 'right' },
    ];
    let right = top;
    for (const [label, amount] of [
      [this.labels.totals.excludingTax, this.totals.excluding_tax],
      [this.labels.totals.tax, this.totals.tax],
    ] as const) {
      this.cells(amounts, [label, money(amount)], right + 4, { size: 9.5 }, CELL_PAD_X, x);
      right += rowHeight;
      this.rule(x, right, RIGHT_BLOCK_WIDTH);
    }
    right += 8;
    this.fillRect(x, right, RIGHT_BLOCK_WIDTH, 28, COLORS.accent);
    const grand = [this.labels.totals.includingTax, money(this.totals.including_tax)];
    this.cells(amounts, grand, right + 8.5, { bold: true, size: 10.5, color: COLORS.onAccent }, CELL_PAD_X + 2, x);
    right += 28;

    this.y = Math.max(y, right) + 28;
  }

  private notes(): void {
    const { paidAt, paymentMethod, locale } = this.doc;
    if (paidAt) {
      const say = this.doc.kind === 'credit_note' ? this.labels.refunded : this.labels.paid;
      const paid = say(formatDate(paidAt, locale), paymentMethodLabel(this.labels, paymentMethod));
      this.paragraph(paid, { bold: true, size: 10, color: COLORS.paid }, 14);
    }
    // The same list goes into the XML's notes (see legalMentions).
    for (const mention of legalMentions(this.doc, this.totals)) this.paragraph(mention.text, { size: 8.5, color: COLORS.muted }, 4);
  }

  private paragraph(text: string, style: TextStyle, gapAfter: number): void {
    if (this.y + this.measure(text, CONTENT_WIDTH, style) > BOTTOM) this.newPage();
    this.y = this.write(text, PAGE.marginX, this.y, CONTENT_WIDTH, style) + gapAfter;
  }

  private cells(columns: Column[], values: string[], y: number, style: TextStyle, padX: number = CELL_PAD_X, x0: number = PAGE.marginX): void {
    let x = x0;
    columns.forEach((col, i) => {
      this.write(values[i], x + padX, y, col.width - 2 * padX, { ...style, align: col.align });
      x += col.width;
    });
  }

  private rule(x: number, y: number, width: number): void {
    this.pdf.moveTo(x, y).lineTo(x + width, y).lineWidth(0.5).strokeColor(COLORS.rule).stroke();
  }

  private fillRect(x: number, y: number, width: number, height: number, color: string): void {
    this.pdf.rect(x, y, width, height).fill(color);
    this.fill = color;
  }

  private newPage(): void {
    this.pdf.addPage();
    this.y = PAGE.marginTop;
    this.fill = null;
  }

  /** Returns the y just below the text. */
  private write(text: string, x: number, y: number, width: number, style: TextStyle): number {
    this.applyStyle(style);
    const color = style.color ?? COLORS.text;
    if (color !== this.fill) {
      this.pdf.fillColor(color);
      this.fill = color;
    }
    const lineGap = style.lineGap ?? 0;
    const lines = linesOf(this.pdf, text, width);
    const step = this.pdf.currentLineHeight(true) + lineGap;
    // pdfkit's wrapper would continue a text crossing the bottom margin on a new page; the layout measures
    // blocks first so that never happens, but should it, pdfkit keeps doing it.
    if (lines.length > 1 && y + lines.length * step > BOTTOM) {
      this.pdf.text(text, x, y, { width, align: style.align ?? 'left', lineGap });
      this.fill = null;
      return this.pdf.y;
    }
    // Lines placed directly, spaced and aligned as pdfkit's wrapper places them (same operators), each
    // encoded once per process: the wrapper shapes every word again in every document.
    for (const line of lines) {
      const dx = style.align === 'right' ? width - lineWidth(this.pdf, line.replace(/\s+$/, '')) : 0;
      if (line) drawLine(this.pdf, line, x + dx, y);
      y += step;
    }
    return y;
  }

  private measure(text: string, width: number, style: TextStyle): number {
    this.applyStyle(style);
    return linesOf(this.pdf, text, width).length * (this.pdf.currentLineHeight(true) + (style.lineGap ?? 0));
  }

  /** The font and size, which measuring needs too; write() sets the colour. */
  private applyStyle(style: TextStyle): void {
    this.pdf.font(style.bold ? FONTS.bold : FONTS.regular).fontSize(style.size);
  }
}

function addressLines(address: InvoiceAddress, locale: InvoiceDocument['locale']): string[] {
  return [address.line1, address.line2 ?? '', `${address.postal_code} ${address.city}`, formatCountry(address.country, locale)].filter(Boolean);
}

function lines(parts: Array<string | null | undefined | false>): string {
  return parts.filter((part): part is string => !!part).join('\n');
}
