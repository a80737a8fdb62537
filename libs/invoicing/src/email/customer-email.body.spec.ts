import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { customerEmailParts } from './customer-email.body';
import type { CustomerEmailContent } from './customer-email.content';
import { quotedPrintable } from '@app/mail';

describe('customerEmailParts', () => {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  // A line that looks like our own boundaries, a long line and accents: none may break the structure.
  const text = `Bonjour Camille,\n\n--=_ca-alternative\n--=_ca-related--\n${'Lampe Aurore — édition « atelier » '.repeat(8)}\nFin.`;
  const html = `<html lang="fr"><body><img src="cid:partner-logo@comptappart"><p>${'Payée le 21 novembre 2026 — 117,50 € '.repeat(6)}</p><p>--=_ca-related</p></body></html>`;
  const logo = Buffer.from(Array.from({ length: 4000 }, (_, i) => i % 256));
  const pdf = Buffer.from(Array.from({ length: 40_001 }, (_, i) => (i * 7) % 256));

  const content = (withLogo: boolean): CustomerEmailContent => ({
    subject: 'Votre facture ATL-2026-000123 – Atelier Lumière SAS',
    text,
    html,
    htmlPart: 'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' + quotedPrintable(html),
    attachments: withLogo ? [{ filename: 'logo.png', content: logo, contentType: 'image/png', cid: 'partner-logo@comptappart', contentDisposition: 'inline' }] : [],
  });

  async function send(c: CustomerEmailContent, filename: string) {
    const info = await transport.sendMail({
      from: 'ComptAppart <factures@comptappart.example>',
      to: 'camille@example.test',
      messageId: '<inv_1@comptappart.example>',
      subject: c.subject,
      attachments: customerEmailParts(c, pdf, filename),
    });
    const raw = (info as unknown as { message: Buffer }).message;
    return { raw: raw.toString('latin1'), mail: await simpleParser(raw, { keepCidLinks: true }) };
  }

  it('reads back as the text, the HTML with its inline logo, and the PDF, byte for byte, under the given Message-ID', async () => {
    const { raw, mail } = await send(content(true), 'ATL-2026-000123.pdf');
    expect(mail.messageId).toBe('<inv_1@comptappart.example>');
    expect(raw).toMatch(/Content-Type: multipart\/mixed/);
    expect(raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(raw).toMatch(/Content-Type: multipart\/related/);
    expect(raw.split('\n').every((line) => line.length <= 78)).toBe(true);
    expect(mail.text).toBe(text);
    expect(mail.html).toBe(html);
    expect(mail.attachments).toHaveLength(2);
    const [inline, attached] = mail.attachments;
    expect(inline).toMatchObject({ contentType: 'image/png', cid: 'partner-logo@comptappart', contentDisposition: 'inline', filename: 'logo.png' });
    expect(inline.content.equals(logo)).toBe(true);
    expect(attached).toMatchObject({ contentType: 'application/pdf', contentDisposition: 'attachment', filename: 'ATL-2026-000123.pdf' });
    expect(attached.content.equals(pdf)).toBe(true);
  });

  it('without a logo the HTML is a plain alternative, and a non-ASCII file name is encoded', async () => {
    const { raw, mail } = await send(content(false), 'Facture été.pdf');
    expect(raw).not.toMatch(/multipart\/related/);
    expect(mail.html).toBe(html);
    expect(mail.text).toBe(text);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].filename).toBe('Facture été.pdf');
    expect(mail.attachments[0].content.equals(pdf)).toBe(true);
  });
});
