import { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { AppConfig } from '@app/config';
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
