import { FONT_BOLD, FONT_REGULAR } from './fonts';

/** A4 in PDF points. */
export const PAGE = {
  width: 595.28,
  height: 841.89,
  marginX: 50,
  marginTop: 56,
  /** Leaves room under the body for the footer, which is drawn outside pdfkit's margins. */
  marginBottom: 72,
  footerY: 841.89 - 48,
} as const;

export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.marginX;

export const COLORS = {
  text: '#1f2933',
  muted: '#5f6b7a',
  accent: '#1f3a5f',
  onAccent: '#ffffff',
  rule: '#d5dbe3',
  panel: '#f2f5f9',
  paid: '#17663a',
  staging: '#c81e1e',
} as const;

export const FONTS = { regular: FONT_REGULAR, bold: FONT_BOLD } as const;
