import { generateKeyPairSync } from 'node:crypto';
import { AddressInfo, Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AppConfig } from '@app/config';
import { quotedPrintable } from './html-template';
import { Mailer, mailFailureReason } from './mailer';

/**
 * A mail server that ends a pooled connection once it has been idle a moment (as real servers do after their
 * timeout, answering 421): the next email must still go, once, on a new connection, with no error for the sender.
 */
describe('Mailer (pooled SMTP)', () => {
  let server: SMTPServer;
  let mailer: Mailer;
  const received: string[] = [];
  const opened: Socket[] = [];
  const closed: Socket[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      socketTimeout: 300,
      onConnect: (session, cb) => cb(),
      onData: (stream, session, cb) => {
        stream.on('end', () => {
          received.push(session.envelope.rcptTo[0]?.address ?? '');
          cb();
        });
        stream.resume();
      },
    });
    server.on('error', () => undefined);
    server.server.on('connection', (socket: Socket) => {
      opened.push(socket);
      socket.on('close', () => closed.push(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    mailer = new Mailer({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: 'factures@example.test' } as AppConfig);
  });

  afterAll(async () => {
    mailer.onModuleDestroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends again on a new connection after the server closed the idle pooled one, each email once', async () => {
    await mailer.send({ messageId: '<a@example.test>', to: 'a@example.test', subject: 'A', text: 'a' });
    // Wait for the fact: the server ended the idle connection.
    while (closed.length < opened.length || opened.length === 0) await new Promise((r) => setTimeout(r, 20));
    await mailer.send({ messageId: '<b@example.test>', to: 'b@example.test', subject: 'B', text: 'b' });
    await Promise.all(['c', 'd', 'e'].map((x) => mailer.send({ messageId: `<${x}@example.test>`, to: `${x}@example.test`, subject: x, text: x })));
    expect(received.sort()).toEqual(['a', 'b', 'c', 'd', 'e'].map((x) => `${x}@example.test`));
    expect(opened.length).toBeGreaterThanOrEqual(2);
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
  let server: SMTPServer;
  const received: Buffer[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks));
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers lines starting with a dot intact, the headers encoded, the message signed', async () => {
    const { port } = server.server.address() as AddressInfo;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const dkim = { domainName: 'comptappart.example', keySelector: 'test', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const mailer = new Mailer({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: 'ComptAppart <factures@comptappart.example>', dkim } as AppConfig);
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
    expect(received).toHaveLength(1);
    const mail = await simpleParser(received[0]);
    expect(mail.text).toBe(text);
    expect(mail.html).toBe(html);
    expect(mail.subject).toBe('Votre facture F-1 – Atelier Lumière');
    expect((mail.to as { value: unknown }).value).toEqual([{ name: 'Léa Dupont', address: 'lea@example.test' }]);
    expect(mail.messageId).toBe('<p1@comptappart.example>');
    expect(mail.headers.get('dkim-signature')).toBeDefined();
  });
});
