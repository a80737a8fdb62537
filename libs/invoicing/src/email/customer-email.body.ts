import { buildHeaderValue } from 'nodemailer/lib/mime-funcs';
import type { CustomerEmailContent } from './customer-email.content';
import { markSmtpLineSafe, quotedPrintable } from '@app/mail';

/*
 * Boundaries that cannot occur inside the parts: quoted-printable writes "=" only before two hex digits or a
 * line break, and base64 only at the end of its data, so "=_" never appears in an encoded body. Being fixed,
 * they also keep a message sent again byte for byte the one sent first.
 */
const ALTERNATIVE = '=_ca-alternative';
const RELATED = '=_ca-related';

const MIXED = '=_ca-mixed';

/**
 * The customer email's content, MIME-encoded, for Mailer.sendPrepared: a multipart/mixed of the text/HTML
 * alternative (the logo related to the HTML) and the PDF, starting with its Content-Type header. The Mailer adds the
 * message headers (From, To, Subject, Message-ID, Date) and nodemailer the DKIM signature. Buffers, the PDF's base64
 * written straight into one, which SMTP's dot-stuffing passes on unread (markSmtpLineSafe): base64 lines never need it.
 */
export function customerEmailContentParts(content: CustomerEmailContent, pdf: Buffer, pdfFilename: string): Buffer[] {
  const logo = content.attachments[0];
  const text = 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' + quotedPrintable(content.text);
  const html = logo
    ? `Content-Type: multipart/related; type="text/html"; boundary="${RELATED}"\r\n\r\n` +
      `--${RELATED}\r\n${content.htmlPart}\r\n` +
      `--${RELATED}\r\n` +
      `Content-Type: ${buildHeaderValue({ value: logo.contentType, params: { name: logo.filename } })}\r\n` +
      'Content-Transfer-Encoding: base64\r\n' +
      `Content-ID: <${logo.cid}>\r\n` +
      `Content-Disposition: ${buildHeaderValue({ value: 'inline', params: { filename: logo.filename } })}\r\n\r\n` +
      base64Lines(logo.content).toString('latin1') +
      `\r\n--${RELATED}--`
    : content.htmlPart;
  const head =
    `Content-Type: multipart/mixed; boundary="${MIXED}"\r\n\r\n` +
    `--${MIXED}\r\n` +
    `Content-Type: multipart/alternative; boundary="${ALTERNATIVE}"\r\n\r\n` +
    `--${ALTERNATIVE}\r\n${text}\r\n--${ALTERNATIVE}\r\n${html}\r\n--${ALTERNATIVE}--\r\n` +
    `--${MIXED}\r\n` +
    `Content-Type: ${buildHeaderValue({ value: 'application/pdf', params: { name: pdfFilename } })}\r\n` +
    'Content-Transfer-Encoding: base64\r\n' +
    `Content-Disposition: ${buildHeaderValue({ value: 'attachment', params: { filename: pdfFilename } })}\r\n\r\n`;
  return [Buffer.from(head), markSmtpLineSafe(base64Lines(pdf, `\r\n--${MIXED}--\r\n`))];
}

/**
 * Base64 in lines of 76: the whole buffer encoded in one native call and written into the output, then each line
 * moved to its place from the last one back (copyWithin, no second buffer). Buffer#copy per line cost about three
 * times as much: two JavaScript-checked native calls per line, some 1,400 for a 40 kB PDF. `after` (ASCII) follows
 * the last line in the same buffer, one write less to the socket.
 */
export function base64Lines(content: Buffer, after = ''): Buffer {
  const b64 = content.toString('base64');
  const lines = Math.ceil(b64.length / 76);
  if (lines <= 1) return Buffer.from(b64 + after, 'latin1');
  const size = b64.length + 2 * (lines - 1);
  const out = Buffer.allocUnsafe(size + after.length);
  out.write(b64, 0, 'latin1');
  if (after) out.write(after, size, 'latin1');
  for (let line = lines - 1; line > 0; line--) {
    const to = line * 78;
    out.copyWithin(to, line * 76, Math.min(line * 76 + 76, b64.length));
    out[to - 2] = 0x0d;
    out[to - 1] = 0x0a;
  }
  return out;
}
