import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server in the test process; it keeps every message it accepts, parsed. With `parse: false` (the
 * benchmarks, which share the machine's cores with the system they measure) it keeps only each message's envelope
 * recipient and arrival time and drains the body unparsed: parsing a 40 KB invoice email costs milliseconds.
 */
export class SmtpCatcher {
  readonly messages: ParsedMail[] = [];
  /** When each accepted message arrived (ms since epoch), in arrival order; same index as `messages` when parsing. */
  readonly receivedAt: number[] = [];
  /** The first envelope recipient (RCPT TO) of each accepted message, same index as `receivedAt`. */
  readonly recipients: string[] = [];

  constructor(private readonly options: { parse?: boolean } = {}) {}
  private server?: SMTPServer;
  /** Set to make the server answer RCPT with this code (e.g. 450 or 550). */
  rejectWith: number | null = null;
  /**
   * Set to hold the answer to each message's DATA this long after its body arrived (a slow mail server): the message
   * is counted on arrival, and `answering` counts those whose answer is still held.
   */
  answerDelayMs = 0;
  answering = 0;
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
      onData: (stream, session, answer) => {
        const cb = (err?: Error | null) => {
          if (!this.answerDelayMs || err) return answer(err);
          this.answering++;
          setTimeout(() => {
            this.answering--;
            answer();
          }, this.answerDelayMs);
        };
        const recipient = session.envelope.rcptTo[0]?.address ?? '';
        if (this.options.parse === false) {
          stream.on('end', () => {
            this.recipients.push(recipient);
            this.receivedAt.push(Date.now());
            cb();
          });
          stream.resume();
          return;
        }
        simpleParser(stream)
          .then((mail) => {
            this.messages.push(mail);
            this.recipients.push(recipient);
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
