import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { AppConfig } from '@app/config';
import type { CreditNote, Invoice } from '@app/database';
import { customerEmailContent, customerEmailContentParts } from '@app/invoicing';
import { buildHeaderValue } from 'nodemailer/lib/mime-funcs';
import { headerLine, loadMailTemplates, Mailer, type PreparedMail, preparedMessage, quotedPrintable } from '@app/mail';

/**
 * CPU per customer email on the hot path: the content rendered (HTML filled from the compiled template,
 * text) and the MIME message built by nodemailer, with a 40 kB PDF and a 4 kB logo, unsigned and DKIM-signed.
 * No SMTP: what the worker's CPU pays per email. Prints µs of CPU (user + system) per email, beside the
 * text-only email it replaced (its composition copied below), measured in the same run, and the ratio.
 *
 *   npm run bench:email            (EMAILS=3000 to change the count, ROUNDS=5 the old/new alternations)
 *
 * Then the same emails sent over SMTP (a smtp-server in a child process, so only the sending side's CPU is counted),
 * 25 in flight as the document stage keeps them, through Mailer.sendPrepared, beside its previous path (nodemailer's
 * Mail layer given the message as `raw`, copied below). SMTP_EMAILS to change the count (SMTP_ONLY=1 skips the rest).
 */
const invoice = {
  id: 'inv_bench', partnerId: 'p', environment: 'production', orderId: 'o', number: 'ATL-2026-000123', fiscalYear: 2026, sequence: 123,
  issuedAt: new Date('2026-11-21T10:00:00Z'), currency: 'eur', amountTotal: 11750, amountExcludingTax: 9800, amountTax: 1950, locale: 'fr',
  seller: { legal_name: 'Atelier Lumière SAS', address: { line1: '12 rue des Lilas', postal_code: '75011', city: 'Paris', country: 'FR' }, siren: '123456789', vat_number: 'FR12123456789', email: 'compta@atelier-lumiere.test' },
  buyer: { name: 'Camille Martin', email: 'camille@example.test' },
  lines: [
    { name: 'Lampe Aurore', quantity: 2, unit_amount: 4990, vat_rate: 20, amount_total: 9980 },
    { name: 'Livre de recettes', quantity: 3, unit_amount: 590, vat_rate: 5.5, amount_total: 1770 },
  ],
  terms: {}, paidAt: new Date('2026-11-21T09:59:00Z'), paymentMethod: 'card', pdfRenderedAt: null, emailedAt: null, emailError: null,
} as Invoice;
const creditNote = { ...invoice, invoiceId: 'inv_bench', invoiceNumber: 'ATL-2026-000123', invoiceIssuedAt: invoice.issuedAt, refundedAt: new Date(), stripeRefundId: 're_1', reason: null } as unknown as CreditNote;
const pdf = Buffer.alloc(40_000, 7);
const logo = { content: Buffer.alloc(4_000, 3), contentType: 'image/png' };

/**
 * The peer: the text-only email as it was composed before the HTML one (commit 488c4b0,
 * libs/mail/src/invoice-mail.content.ts and invoice-mail.service.ts), copied here so both are measured in the same run.
 */
const oldMoney = (amount: number, currency: string, locale: string) =>
  new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
function oldInvoiceEmailContent(inv: Invoice, platformName: string): { subject: string; text: string } {
  const total = oldMoney(inv.amountTotal, inv.currency, inv.locale);
  const seller = inv.seller.legal_name;
  const test = inv.environment === 'staging';
  return {
    subject: `${test ? '[TEST] ' : ''}Votre facture ${inv.number} – ${seller}`,
    text: [
      `Bonjour${inv.buyer.name ? ` ${inv.buyer.name}` : ''},`,
      '',
      `Merci pour votre commande. Vous trouverez ci-joint votre facture ${inv.number} d'un montant de ${total}.`,
      '',
      `Facture émise par ${platformName} au nom et pour le compte de ${seller}.`,
      `Une question sur votre commande : ${inv.seller.email}`,
    ].join('\n'),
  };
}

async function measure(label: string, n: number, send: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, n); i++) await send();
  const start = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < n; i++) await send();
  const used = process.cpuUsage(start);
  const ms = performance.now() - wall;
  const perEmail = (used.user + used.system) / n;
  console.log(`${label.padEnd(44)} ${perEmail.toFixed(0).padStart(6)} µs CPU per email  (${(ms / n).toFixed(2)} ms wall, n=${n})`);
  return perEmail;
}

/** A mail server in a child process that accepts everything; resolves to its URL. */
function startSmtpServer(): Promise<{ url: string; stop: () => void }> {
  const source = `
    const { SMTPServer } = require('smtp-server');
    const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onData: (stream, session, cb) => { stream.on('end', () => cb()); stream.resume(); } });
    server.listen(0, '127.0.0.1', () => console.log(server.server.address().port));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve({ url: `smtp://127.0.0.1:${String(d).trim()}`, stop: () => child.kill() }));
  });
}

/** preparedMessage as it was at 23d00e7: every header encoded per email. */
function previousPreparedMessage(from: string, mail: PreparedMail, date = new Date()): { raw: Buffer; envelope: { from: string; to: string } } {
  const head =
    `${headerLine('From', from)}\r\n` +
    `${headerLine('To', mail.to)}\r\n` +
    (mail.replyTo ? `${headerLine('Reply-To', mail.replyTo)}\r\n` : '') +
    `${headerLine('Subject', mail.subject)}\r\n` +
    `${headerLine('Message-ID', mail.messageId)}\r\n` +
    `${headerLine('Date', date)}\r\n` +
    'MIME-Version: 1.0\r\n';
  return {
    raw: Buffer.concat([Buffer.from(head), ...mail.content]),
    envelope: { from: 'factures@comptappart.example', to: typeof mail.to === 'string' ? mail.to : mail.to.address },
  };
}

/** Mailer.sendPrepared as it was before it went to the pool directly (commit 23d00e7): the Mail layer given `raw`. */
function previousSendPrepared(smtpUrl: string, from: string, dkim?: object): { send: (mail: PreparedMail) => Promise<unknown>; close: () => void } {
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 10, ...(dkim ? { dkim } : {}) } as object);
  return {
    send: async (mail) => transport.sendMail({ ...previousPreparedMessage(from, mail), messageId: mail.messageId }),
    close: () => transport.close(),
  };
}

/**
 * customerEmailContentParts and base64Lines as they were at commit 23d00e7 (two Buffer#copy per base64 line, no
 * line-safe mark), so the "before" side is the whole previous path, not only its sending half.
 */
const CRLF = Buffer.from('\r\n');
function previousBase64Lines(content: Buffer): Buffer {
  const b64 = Buffer.from(content.toString('base64'), 'latin1');
  const lines = Math.ceil(b64.length / 76);
  if (lines <= 1) return b64;
  const out = Buffer.allocUnsafe(b64.length + 2 * (lines - 1));
  let at = 0;
  for (let i = 0; i < b64.length; i += 76) {
    if (i) at += CRLF.copy(out, at);
    at += b64.copy(out, at, i, Math.min(i + 76, b64.length));
  }
  return out;
}
function previousContentParts(content: ReturnType<typeof customerEmailContent>, pdfContent: Buffer, pdfFilename: string): Buffer[] {
  const [mixed, alternative, related] = ['=_ca-mixed', '=_ca-alternative', '=_ca-related'];
  const logoPart = content.attachments[0];
  const text = 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' + quotedPrintable(content.text);
  const html = logoPart
    ? `Content-Type: multipart/related; type="text/html"; boundary="${related}"\r\n\r\n` +
      `--${related}\r\n${content.htmlPart}\r\n` +
      `--${related}\r\n` +
      `Content-Type: ${buildHeaderValue({ value: logoPart.contentType, params: { name: logoPart.filename } })}\r\n` +
      'Content-Transfer-Encoding: base64\r\n' +
      `Content-ID: <${logoPart.cid}>\r\n` +
      `Content-Disposition: ${buildHeaderValue({ value: 'inline', params: { filename: logoPart.filename } })}\r\n\r\n` +
      previousBase64Lines(logoPart.content as Buffer).toString('latin1') +
      `\r\n--${related}--`
    : content.htmlPart;
  const head =
    `Content-Type: multipart/mixed; boundary="${mixed}"\r\n\r\n` +
    `--${mixed}\r\n` +
    `Content-Type: multipart/alternative; boundary="${alternative}"\r\n\r\n` +
    `--${alternative}\r\n${text}\r\n--${alternative}\r\n${html}\r\n--${alternative}--\r\n` +
    `--${mixed}\r\n` +
    `Content-Type: ${buildHeaderValue({ value: 'application/pdf', params: { name: pdfFilename } })}\r\n` +
    'Content-Transfer-Encoding: base64\r\n' +
    `Content-Disposition: ${buildHeaderValue({ value: 'attachment', params: { filename: pdfFilename } })}\r\n\r\n`;
  return [Buffer.from(head), previousBase64Lines(pdfContent), Buffer.from(`\r\n--${mixed}--\r\n`)];
}

async function inFlight(n: number, width: number, send: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += width) await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => send(i + j)));
}

async function smtpPart(dkim: object): Promise<void> {
  const n = Number(process.env.SMTP_EMAILS ?? 2000);
  const rounds = Number(process.env.ROUNDS ?? 3);
  const from = 'ComptAppart <factures@comptappart.example>';
  const server = await startSmtpServer();
  // What the worker does per email: render the content, encode the parts, send (DocumentMailService.send).
  const prepared = (i: number, parts: typeof customerEmailContentParts): PreparedMail => {
    const content = customerEmailContent({ kind: 'invoice', invoice }, 'ComptAppart', logo);
    return {
      messageId: `<inv_bench_${i}@comptappart.example>`,
      to: { name: 'Camille Martin', address: 'camille@example.test' },
      replyTo: 'compta@atelier-lumiere.test',
      subject: content.subject,
      content: parts(content, pdf, 'ATL-2026-000123.pdf'),
    };
  };
  // user and system apart: over loopback the kernel's share includes the receiving side's TCP work.
  const measureSmtp = async (label: string, count: number, send: (i: number) => Promise<unknown>): Promise<number> => {
    await inFlight(Math.min(200, count), 25, send);
    const start = process.cpuUsage();
    const wall = performance.now();
    await inFlight(count, 25, send);
    const used = process.cpuUsage(start);
    const perEmail = (used.user + used.system) / count;
    console.log(
      `${label.padEnd(44)} ${perEmail.toFixed(0).padStart(6)} µs CPU per email (user ${(used.user / count).toFixed(0)}, system ${(used.system / count).toFixed(0)}; ` +
        `${((performance.now() - wall) / count).toFixed(2)} ms wall, n=${count})`,
    );
    return perEmail;
  };
  try {
    for (const signed of [false, true]) {
      const count = signed ? Math.ceil(n / 4) : n;
      const config = { smtpUrl: server.url, mailFrom: from, ...(signed ? { dkim } : {}) } as AppConfig;
      const mailer = new Mailer(config);
      const previous = previousSendPrepared(server.url, from, signed ? dkim : undefined);
      const old: number[] = [];
      const now: number[] = [];
      const tag = signed ? ' + DKIM' : '';
      // Both paths compiled and warm before the first measured round, so the first pair is not the slower for it.
      await inFlight(Math.ceil(count / 4), 25, (i) => previous.send(prepared(i, previousContentParts)));
      await inFlight(Math.ceil(count / 4), 25, (i) => mailer.sendPrepared(prepared(i, customerEmailContentParts)));
      for (let r = 0; r < rounds; r++) {
        old.push(await measureSmtp(`SMTP before: Mail layer, raw${tag}`, count, (i) => previous.send(prepared(i, previousContentParts))));
        now.push(await measureSmtp(`SMTP now: Mailer.sendPrepared${tag}`, count, (i) => mailer.sendPrepared(prepared(i, customerEmailContentParts))));
      }
      previous.close();
      mailer.onModuleDestroy();
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      console.log(
        `SMTP${tag} now / before (render + compose + send, ${rounds} alternating pairs): before ${old.map((x) => x.toFixed(0)).join(', ')} µs; ` +
          `now ${now.map((x) => x.toFixed(0)).join(', ')} µs; medians ${median(now).toFixed(0)} / ${median(old).toFixed(0)} = ${(median(now) / median(old)).toFixed(2)}`,
      );
    }
  } finally {
    server.stop();
  }
}

async function main(): Promise<void> {
  const n = Number(process.env.EMAILS ?? 2000);
  const compileStart = performance.now();
  await loadMailTemplates('https://api.comptappart.example');
  console.log(`templates compiled once in ${(performance.now() - compileStart).toFixed(0)} ms (MJML, at module init)`);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dkim = { domainName: 'comptappart.example', keySelector: 'bench', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  if (process.env.SMTP_ONLY) return smtpPart(dkim);
  const plain = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const signed = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix', dkim });

  // As DocumentMailComposer.compose and Mailer.sendPrepared build it.
  const message = (content: ReturnType<typeof customerEmailContent>) => ({
    ...preparedMessage('ComptAppart <factures@comptappart.example>', {
      messageId: '<inv_bench@comptappart.example>',
      to: { name: 'Camille Martin', address: 'camille@example.test' },
      replyTo: 'compta@atelier-lumiere.test',
      subject: content.subject,
      content: customerEmailContentParts(content, pdf, 'ATL-2026-000123.pdf'),
    }),
    messageId: '<inv_bench@comptappart.example>',
  });
  const oldMessage = () => {
    const content = oldInvoiceEmailContent(invoice, 'ComptAppart');
    return {
      from: 'ComptAppart <factures@comptappart.example>',
      messageId: '<inv_bench@comptappart.example>',
      to: { name: 'Camille Martin', address: 'camille@example.test' },
      replyTo: 'compta@atelier-lumiere.test',
      subject: content.subject,
      text: content.text,
      attachments: [{ filename: 'ATL-2026-000123.pdf', content: pdf, contentType: 'application/pdf' }],
    };
  };
  await measure('render only (HTML + text, invoice fr)', n * 5, async () => customerEmailContent({ kind: 'invoice', invoice }, 'ComptAppart', logo));
  // Old and new alternate, a few rounds each, so both see the same machine load; the ratio is what counts.
  const rounds = Number(process.env.ROUNDS ?? 3);
  const old: number[] = [];
  const now: number[] = [];
  for (let r = 0; r < rounds; r++) {
    old.push(await measure('before: text only + PDF (488c4b0 copy)', n, () => plain.sendMail(oldMessage())));
    now.push(await measure('render + compose (invoice fr)', n, () => plain.sendMail(message(customerEmailContent({ kind: 'invoice', invoice }, 'ComptAppart', logo)))));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`new / before, same run (medians of ${rounds} alternating rounds): ${median(now).toFixed(0)} / ${median(old).toFixed(0)} µs = ${(median(now) / median(old)).toFixed(2)}`);
  await measure('render + compose (credit note, en)', n, () =>
    plain.sendMail(message(customerEmailContent({ kind: 'credit_note', creditNote: { ...creditNote, locale: 'en' } }, 'ComptAppart', logo))),
  );
  const oldSigned = await measure('before + DKIM', n, () => signed.sendMail(oldMessage()));
  const newSigned = await measure('render + compose + DKIM (invoice fr)', n, () => signed.sendMail(message(customerEmailContent({ kind: 'invoice', invoice }, 'ComptAppart', logo))));
  console.log(`new / before with DKIM, same run: ${(newSigned / oldSigned).toFixed(2)}`);
  await smtpPart(dkim);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
