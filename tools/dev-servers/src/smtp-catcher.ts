import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server in the test process; it keeps every message it accepts, parsed. */
export class SmtpCatcher {
  readonly messages: ParsedMail[] = [];
  /** When each message of `messages` was accepted (ms since epoch), same index. */
  readonly receivedAt: number[] = [];
  private server?: SMTPServer;
  /** Set to make the server answer RCPT with this code (e.g. 450 or 550). */
  rejectWith: number | null = null;
  /** Connection errors, such as a sender killed mid-session (ECONNRESET): kept, as a mail server logs them. */
  readonly connectionErrors: Error[] = [];

  async start(): Promise<string> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (_addr, _session, cb) => {
        if (this.rejectWith) {
          const err = new Error('Mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = this.rejectWith;
          return cb(err);
        }
        cb();
      },
      onData: (stream, _session, cb) => {
        simpleParser(stream)
          .then((mail) => {
            this.messages.push(mail);
            this.receivedAt.push(Date.now());
            cb();
          })
          .catch(cb);
      },
    });
    // Without a listener, smtp-server's 'error' (a client gone mid-session) would throw in the test process.
    this.server.on('error', (err: Error) => this.connectionErrors.push(err));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.server.address() as AddressInfo;
    return `smtp://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
