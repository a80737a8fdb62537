import { generateKeyPairSync } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { CreditNote, Invoice } from '@app/database';
import { customerEmailContent, customerEmailContentParts } from '@app/invoicing';
import { loadMailTemplates, preparedMessage } from '@app/mail';

/**
 * CPU per customer email on the hot path: the content rendered (HTML filled from the compiled template,
 * text) and the MIME message built by nodemailer, with a 40 kB PDF and a 4 kB logo, unsigned and DKIM-signed.
 * No SMTP: what the worker's CPU pays per email. Prints µs of CPU (user + system) per email, beside the
 * text-only email it replaced (its composition copied below), measured in the same run, and the ratio.
 *
 *   npm run bench:email            (EMAILS=3000 to change the count, ROUNDS=5 the old/new alternations)
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

async function main(): Promise<void> {
  const n = Number(process.env.EMAILS ?? 2000);
  const compileStart = performance.now();
  await loadMailTemplates('https://api.comptappart.example');
  console.log(`templates compiled once in ${(performance.now() - compileStart).toFixed(0)} ms (MJML, at module init)`);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dkim = { domainName: 'comptappart.example', keySelector: 'bench', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
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
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
