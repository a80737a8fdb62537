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
 * An email's HTML compiled from MJML ahead of time (mail-templates.generated.ts), split at its `{{name}}`
 * placeholders so that each email is a join of the static parts and its values: MJML (about 50 ms a template and
 * 40 MB of memory) stays out of the running processes. Every string value is
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

  /** A template from its compiled form (mjml-compile.ts), checking it uses only the keys its code fills. */
  static fromCompiled<K extends string>(compiled: { parts: readonly string[]; keys: readonly string[] }, keys: readonly K[]): HtmlTemplate<K> {
    const unknown = compiled.keys.find((k) => !keys.includes(k as K));
    if (unknown) throw new Error(`email template: unknown placeholder {{${unknown}}}`);
    if (compiled.parts.length !== compiled.keys.length + 1) throw new Error('email template: parts and placeholders do not alternate');
    return new HtmlTemplate([...compiled.parts], compiled.keys as K[]);
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
