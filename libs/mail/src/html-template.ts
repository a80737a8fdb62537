import mjml2html from 'mjml';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for an HTML element or a quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** HTML the email code built itself from escaped values (table rows, the logo tag); inserted as it is. */
export class SafeHtml {
  constructor(readonly html: string) {}
}

/**
 * An email's HTML compiled once from MJML, split at its `{{name}}` placeholders so that each email is a join of
 * the static parts and its values: MJML (about 50 ms a template) stays off the hot path. Every string value is
 * escaped; only a SafeHtml goes in unescaped.
 */
export class HtmlTemplate<K extends string> {
  /** The static parts already in quoted-printable, so each email encodes only its own values. */
  private readonly encodedParts: string[];

  private constructor(
    private readonly parts: string[],
    private readonly keys: K[],
  ) {
    this.encodedParts = parts.map(quotedPrintable);
  }

  static async compile<K extends string>(mjml: string, keys: readonly K[]): Promise<HtmlTemplate<K>> {
    const { html, errors } = await mjml2html(mjml, { validationLevel: 'strict', keepComments: false, fonts: {} }); // fonts: {}: no web font links
    if (errors.length) throw new Error(`email template: ${errors.map((e) => e.formattedMessage).join('; ')}`);
    // Nothing may be fetched when the email is opened: no web font, no remote image or stylesheet.
    const remote = html.match(/<link\b[^>]*>|@import|\bsrc="https?:|url\(['"]?https?:/i);
    if (remote) throw new Error(`email template loads a remote resource: ${remote[0]}`);
    // Indentation is only bytes to encode in every email; a line break keeps the whitespace HTML needs there.
    const withScheme = html.replace(/[ \t]*\n\s*/g, '\n').replace(
      '<head>',
      '<head>\n<meta name="color-scheme" content="light dark">\n<meta name="supported-color-schemes" content="light dark">',
    );
    const parts: string[] = [];
    const found: K[] = [];
    const re = /\{\{(\w+)\}\}/g;
    let last = 0;
    for (let m = re.exec(withScheme); m; m = re.exec(withScheme)) {
      if (!keys.includes(m[1] as K)) throw new Error(`email template: unknown placeholder {{${m[1]}}}`);
      parts.push(withScheme.slice(last, m.index));
      found.push(m[1] as K);
      last = m.index + m[0].length;
    }
    parts.push(withScheme.slice(last));
    return new HtmlTemplate(parts, found);
  }

  /**
   * The filled HTML as a whole MIME part (headers and quoted-printable body) for nodemailer's `raw`:
   * encoding the 10 kB of static HTML in every email was most of its CPU. Pieces are joined by soft line
   * breaks (`=` CRLF), which a decoder removes, and each is wrapped to 75 so no line passes 76.
   */
  fillMimePart(values: Record<K, string | SafeHtml>): string {
    let out = 'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' + this.encodedParts[0];
    for (let i = 0; i < this.keys.length; i++) {
      const value = values[this.keys[i]];
      const encoded = quotedPrintable(value instanceof SafeHtml ? value.html : escapeHtml(value));
      if (encoded) out += '=\r\n' + encoded;
      if (this.encodedParts[i + 1]) out += '=\r\n' + this.encodedParts[i + 1];
    }
    return out;
  }

  fill(values: Record<K, string | SafeHtml>): string {
    let out = this.parts[0];
    for (let i = 0; i < this.keys.length; i++) {
      const value = values[this.keys[i]];
      out += (value instanceof SafeHtml ? value.html : escapeHtml(value)) + this.parts[i + 1];
    }
    return out;
  }
}

/** Text as quoted-printable with CRLF line breaks, in lines of at most 76. */
export function quotedPrintable(text: string): string {
  return qpWrap(qpEncode(text.replace(/\r?\n/g, '\r\n')), 75);
}
