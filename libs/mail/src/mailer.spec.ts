import { generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { AppConfig } from '@app/config';
import { quotedPrintable } from './html-template';
import { Mailer, mailFailureReason } from './mailer';
import { startSmtpTestServer } from './smtp-test-server.spec-helper';

/**
 * A mail server that ends a pooled connection once it has been idle a moment (as real servers do after their
 * timeout, answering 421): the next email must still go, once, on a new connection, with no error for the sender.
 */
describe('Mailer (pooled SMTP)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpTestServer>>;
  let mailer: Mailer;

  beforeAll(async () => {
    smtp = await startSmtpTestServer({ socketTimeout: 300 });
    mailer = new Mailer({ smtpUrl: smtp.url, mailFrom: 'factures@example.test' } as AppConfig);
  });

  afterAll(async () => {
    mailer.onModuleDestroy();
    await smtp.close();
  });

  it('sends again on a new connection after the server closed the idle pooled one, each email once', async () => {
    await mailer.send({ messageId: '<a@example.test>', to: 'a@example.test', subject: 'A', text: 'a' });
    // Wait for the fact: the server ended the idle connection.
    while (smtp.closed.length < smtp.opened.length || smtp.opened.length === 0) await new Promise((r) => setTimeout(r, 20));
    await mailer.send({ messageId: '<b@example.test>', to: 'b@example.test', subject: 'B', text: 'b' });
    await Promise.all(['c', 'd', 'e'].map((x) => mailer.send({ messageId: `<${x}@example.test>`, to: `${x}@example.test`, subject: x, text: x })));
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['a', 'b', 'c', 'd', 'e'].map((x) => `${x}@example.test`));
    expect(smtp.opened.length).toBeGreaterThanOrEqual(2);
  });
});

describe('mailFailureReason', () => {
  it('keeps the code and the reason, never a recipient address', () => {
    const err = Object.assign(new Error("Can't send mail - all recipients were rejected: 450 4.2.1 <bob.martin@client.example>: Mailbox busy"), {
      responseCode: 450,
      code: 'EENVELOPE',
    });
    const reason = mailFailureReason(err);
    expect(reason).toContain('450');
    expect(reason).toContain('Mailbox busy');
    expect(reason).not.toContain('bob.martin');
    expect(reason).not.toContain('client.example');
    expect(mailFailureReason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET' }))).toBe('ESOCKET: connect ECONNREFUSED 127.0.0.1:25');
  });
});

/**
 * A prepared message goes to the server as one raw buffer: SMTP's dot-stuffing must still protect lines that start
 * with a dot (a lone "." would end the DATA early and cut the email), and DKIM must still sign it.
 */
describe('Mailer.sendPrepared', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpTestServer>>;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
  });

  afterAll(async () => {
    await smtp.close();
  });

  it('delivers lines starting with a dot intact, the headers encoded, the message signed', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const dkim = { domainName: 'comptappart.example', keySelector: 'test', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const mailer = new Mailer({ smtpUrl: smtp.url, mailFrom: 'ComptAppart <factures@comptappart.example>', dkim } as AppConfig);
    const text = 'Bonjour,\n.\n..deux points\n.trois\nFin.';
    const html = '<p>a</p>\n.<p>b</p>\n.';
    const parts =
      'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\n' +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(text)}\r\n--b\r\n` +
      `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(html)}\r\n--b--\r\n`;
    try {
      await mailer.sendPrepared({
        messageId: '<p1@comptappart.example>',
        to: { name: 'Léa Dupont', address: 'lea@example.test' },
        replyTo: 'compta@atelier.test',
        subject: 'Votre facture F-1 – Atelier Lumière',
        content: [Buffer.from(parts)],
      });
    } finally {
      mailer.onModuleDestroy();
    }
    expect(smtp.received).toHaveLength(1);
    const mail = await simpleParser(smtp.received[0].raw);
    expect(mail.text).toBe(text);
    expect(mail.html).toBe(html);
    expect(mail.subject).toBe('Votre facture F-1 – Atelier Lumière');
    expect((mail.to as { value: unknown }).value).toEqual([{ name: 'Léa Dupont', address: 'lea@example.test' }]);
    expect(mail.messageId).toBe('<p1@comptappart.example>');
    expect(mail.headers.get('dkim-signature')).toBeDefined();
  });
});
