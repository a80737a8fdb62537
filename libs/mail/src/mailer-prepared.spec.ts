import { generateKeyPairSync } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { AppConfig } from '@app/config';
import { quotedPrintable } from './html-template';
import { preparedMessage, type PreparedMail } from './mail-headers';
import { isPermanentMailError, Mailer } from './mailer';
import { markSmtpLineSafe } from './smtp-dot-stuffing';
import { startSmtpTestServer } from './smtp-test-server.spec-helper';

// mailauth's index also loads BIMI's HTTP client, not needed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { dkimVerify } = require('mailauth/lib/dkim/verify') as { dkimVerify: (raw: Buffer, opts: object) => Promise<{ results: { status: { result: string } }[] }> };

/**
 * Mailer.sendPrepared hands a prepared message to nodemailer's SMTP pool without the Mail layer. These tests hold it
 * to what the Mail layer sent: the same bytes on the wire (DKIM signature included), the same envelope, the same
 * errors, and a message moved to a new connection when the server dropped an idle one.
 */
const FROM = 'ComptAppart <factures@comptappart.example>';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const dkim = { domainName: 'comptappart.example', keySelector: 'test', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
const dnsRecord = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
const resolver = async (name: string, type: string) => {
  if (type === 'TXT' && name === 'test._domainkey.comptappart.example') return [[dnsRecord]];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

function preparedMail(id: string, to: PreparedMail['to'] = { name: 'Léa Dupont', address: 'lea@example.test' }, content?: Buffer[]): PreparedMail {
  const text = 'Bonjour,\n.\n..deux points\n.trois\nFin.';
  const parts =
    'Content-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\n' +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(text)}\r\n--m\r\n` +
    'Content-Type: application/pdf; name=F-1.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n';
  const pdf = Buffer.alloc(3000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  return {
    messageId: `<${id}@comptappart.example>`,
    to,
    replyTo: 'compta@atelier.test',
    subject: 'Votre facture F-1 – Atelier Lumière',
    content: content ?? [Buffer.from(parts), markSmtpLineSafe(Buffer.from(pdf)), Buffer.from('\r\n--m--\r\n')],
  };
}

describe('Mailer.sendPrepared (SMTP pool, no Mail layer)', () => {
  afterEach(() => jest.useRealTimers());

  it.each([
    ['DKIM-signed', true],
    ['unsigned', false],
  ])('puts on the wire the bytes the Mail layer sent (%s), the envelope too', async (_label, signed) => {
    const smtp = await startSmtpTestServer();
    // Only Date is frozen (Date header, DKIM timestamp): sockets keep their real timers.
    jest.useFakeTimers({ now: new Date('2026-11-21T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    const config = { smtpUrl: smtp.url, mailFrom: FROM, ...(signed ? { dkim } : {}) } as AppConfig;
    const mailer = new Mailer(config);
    // The path before: nodemailer's Mail layer given the whole message as `raw`.
    const before = nodemailer.createTransport({ url: smtp.url, pool: true, ...(signed ? { dkim } : {}) } as object);
    try {
      const cases: PreparedMail[] = [
        preparedMail('p1'),
        preparedMail('p2', 'bob@bücher.example'),
        // no final line break: both end the message with one
        preparedMail('p3', 'camille@example.test', [Buffer.from('Content-Type: text/plain\r\n\r\nsans fin de ligne')]),
      ];
      for (const mail of cases) {
        await before.sendMail({ ...preparedMessage(FROM, mail), messageId: mail.messageId });
        await expect(mailer.sendPrepared(mail)).resolves.toEqual({ messageId: mail.messageId });
      }
    } finally {
      before.close();
      mailer.onModuleDestroy();
      await smtp.close();
    }
    expect(smtp.received).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) {
      expect(smtp.received[i + 1].raw.toString('latin1')).toBe(smtp.received[i].raw.toString('latin1'));
      expect(smtp.received[i + 1].from).toBe('factures@comptappart.example');
      expect(smtp.received[i + 1].to).toEqual(smtp.received[i].to);
    }
    expect(smtp.received[1].raw.toString()).toContain('\r\n..deux points');
    if (signed) {
      const { results } = await dkimVerify(smtp.received[1].raw, { resolver });
      expect(results.map((r) => r.status.result)).toEqual(['pass']);
    }
  });

  it('rejects with the server answer: 5xx permanent, 4xx to retry, and the pool goes on', async () => {
    const smtp = await startSmtpTestServer({
      onRcptTo: (address, session, cb) => {
        if (address.address.startsWith('gone')) return cb(Object.assign(new Error('No such user'), { responseCode: 550 }));
        if (address.address.startsWith('busy')) return cb(Object.assign(new Error('Mailbox busy'), { responseCode: 450 }));
        cb();
      },
    });
    const mailer = new Mailer({ smtpUrl: smtp.url, mailFrom: FROM } as AppConfig);
    try {
      const gone = await mailer.sendPrepared(preparedMail('g', 'gone@example.test')).catch((e: unknown) => e);
      expect(isPermanentMailError(gone)).toBe(true);
      expect(gone).toMatchObject({ code: 'EENVELOPE', responseCode: 550 });
      const busy = await mailer.sendPrepared(preparedMail('b', 'busy@example.test')).catch((e: unknown) => e);
      expect(isPermanentMailError(busy)).toBe(false);
      expect(busy).toMatchObject({ responseCode: 450 });
      await mailer.sendPrepared(preparedMail('ok', 'ok@example.test'));
    } finally {
      mailer.onModuleDestroy();
      await smtp.close();
    }
    expect(smtp.received.map((r) => r.to)).toEqual([['ok@example.test']]);
  });

  it('keeps the Mail layer when SMTP_URL turns the pool off, the same bytes on the wire', async () => {
    const smtp = await startSmtpTestServer();
    jest.useFakeTimers({ now: new Date('2026-11-21T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    const pooled = new Mailer({ smtpUrl: smtp.url, mailFrom: FROM, dkim } as AppConfig);
    const unpooled = new Mailer({ smtpUrl: `${smtp.url}?pool=false`, mailFrom: FROM, dkim } as AppConfig);
    try {
      await pooled.sendPrepared(preparedMail('q1'));
      await unpooled.sendPrepared(preparedMail('q1'));
    } finally {
      pooled.onModuleDestroy();
      unpooled.onModuleDestroy();
      await smtp.close();
    }
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1].raw.toString('latin1')).toBe(smtp.received[0].raw.toString('latin1'));
  });

  it('fails with a connection error when no server answers', async () => {
    const smtp = await startSmtpTestServer();
    const url = smtp.url;
    await smtp.close();
    const mailer = new Mailer({ smtpUrl: url, mailFrom: FROM } as AppConfig);
    try {
      const err = await mailer.sendPrepared(preparedMail('x')).catch((e: unknown) => e);
      expect(err).toMatchObject({ message: expect.stringContaining('ECONNREFUSED') });
      expect(isPermanentMailError(err)).toBe(false);
    } finally {
      mailer.onModuleDestroy();
    }
  });

  it('sends again on a new connection after the server closed the idle pooled one, each email once', async () => {
    const smtp = await startSmtpTestServer({ socketTimeout: 300 });
    const mailer = new Mailer({ smtpUrl: smtp.url, mailFrom: FROM, dkim } as AppConfig);
    try {
      await mailer.sendPrepared(preparedMail('a', 'a@example.test'));
      while (smtp.closed.length < smtp.opened.length || smtp.opened.length === 0) await new Promise((r) => setTimeout(r, 20));
      await mailer.sendPrepared(preparedMail('b', 'b@example.test'));
      await Promise.all(['c', 'd', 'e'].map((x) => mailer.sendPrepared(preparedMail(x, `${x}@example.test`))));
    } finally {
      mailer.onModuleDestroy();
      await smtp.close();
    }
    expect(smtp.received.map((r) => r.to[0]).sort()).toEqual(['a', 'b', 'c', 'd', 'e'].map((x) => `${x}@example.test`));
    expect(smtp.opened.length).toBeGreaterThanOrEqual(2);
  });
});
