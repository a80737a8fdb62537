import { simpleParser } from 'mailparser';
import { preparedMessage, quotedPrintable } from '@app/mail';
import { base64Lines, customerEmailContentParts } from './customer-email.body';
import type { CustomerEmailContent } from './customer-email.content';

describe('customerEmailContentParts (as Mailer.sendPrepared sends them)', () => {
  // A line that looks like our own boundaries, a long line and accents: none may break the structure.
  const text = `Bonjour Camille,\n\n--=_ca-alternative\n--=_ca-mixed--\n--=_ca-related--\n${'Lampe Aurore — édition « atelier » '.repeat(8)}\nFin.`;
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

  async function build(c: CustomerEmailContent, filename: string) {
    const { raw, envelope } = preparedMessage('ComptAppart <factures@comptappart.example>', {
      messageId: '<inv_1@comptappart.example>',
      to: { name: 'Camille Müller, Atelier', address: 'camille@example.test' },
      replyTo: 'compta@atelier-lumiere.test',
      subject: c.subject,
      content: customerEmailContentParts(c, pdf, filename),
    });
    return { raw: raw.toString('latin1'), envelope, mail: await simpleParser(raw, { keepCidLinks: true }) };
  }

  it('reads back as the headers, the text, the HTML with its inline logo, and the PDF, byte for byte', async () => {
    const { raw, envelope, mail } = await build(content(true), 'ATL-2026-000123.pdf');
    expect(envelope).toEqual({ from: 'factures@comptappart.example', to: 'camille@example.test' });
    expect(mail.messageId).toBe('<inv_1@comptappart.example>');
    expect(mail.subject).toBe('Votre facture ATL-2026-000123 – Atelier Lumière SAS');
    expect(mail.from?.value).toEqual([{ name: 'ComptAppart', address: 'factures@comptappart.example' }]);
    expect((mail.to as { value: unknown }).value).toEqual([{ name: 'Camille Müller, Atelier', address: 'camille@example.test' }]);
    expect(mail.replyTo?.value).toEqual([{ name: '', address: 'compta@atelier-lumiere.test' }]);
    expect(mail.date).toBeInstanceOf(Date);
    expect(raw).toMatch(/^MIME-Version: 1\.0\r$/m);
    expect(raw).toMatch(/Content-Type: multipart\/mixed/);
    expect(raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(raw).toMatch(/Content-Type: multipart\/related/);
    // Every line ends in CRLF and fits the 78 columns mail clients expect; the headers are 7-bit.
    expect(raw.split('\r\n').every((line) => line.length <= 78 && !line.includes('\n'))).toBe(true);
    expect(/^[\x20-\x7e\r\n\t]*$/.test(raw.slice(0, raw.indexOf('\r\n\r\n')))).toBe(true);
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
    const { raw, mail } = await build(content(false), 'Facture été.pdf');
    expect(raw).not.toMatch(/multipart\/related/);
    expect(mail.html).toBe(html);
    expect(mail.text).toBe(text);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].filename).toBe('Facture été.pdf');
    expect(mail.attachments[0].content.equals(pdf)).toBe(true);
  });

  it('keeps short and exact-length PDFs whole (base64 lines of 76, the last one shorter or full)', async () => {
    for (const size of [0, 1, 56, 57, 58, 114, 3000]) {
      const bytes = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31) % 256));
      const { raw, envelope } = preparedMessage('factures@comptappart.example', {
        messageId: '<inv_2@comptappart.example>',
        to: 'camille@example.test',
        subject: 'Facture',
        content: customerEmailContentParts(content(false), bytes, 'f.pdf'),
      });
      expect(envelope.from).toBe('factures@comptappart.example');
      const mail = await simpleParser(raw);
      const attached = mail.attachments.find((a) => a.filename === 'f.pdf');
      expect(attached?.content.equals(bytes) ?? size === 0).toBe(true);
    }
  });
});

describe('base64Lines', () => {
  it('is base64 in lines of 76 joined by CRLF, for every length around a line', () => {
    for (const size of [0, 1, 2, 3, 56, 57, 58, 113, 114, 115, 4000, 40_001]) {
      const content = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + 7) % 256));
      const expected = (content.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
      expect(base64Lines(content).toString('latin1')).toBe(expected);
      expect(base64Lines(content, '\r\n--end--\r\n').toString('latin1')).toBe(`${expected}\r\n--end--\r\n`);
    }
  });
});
