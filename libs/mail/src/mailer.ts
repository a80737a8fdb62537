import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Readable } from 'node:stream';
import nodemailer, { SendMailOptions, Transporter } from 'nodemailer';
import DKIM from 'nodemailer/lib/dkim';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import { AppConfig } from '@app/config';
import { type PreparedMail, preparedEnvelope, preparedHead, preparedMessage } from './mail-headers';
import { installFastDotStuffing, isSmtpLineSafe } from './smtp-dot-stuffing';

export interface SentMail {
  messageId: string;
  /** Where development wrote the message instead of sending it. */
  file?: string;
}

/** SMTP errors worth retrying are 4xx and connection failures; a 5xx answer will not change. */
export function isPermanentMailError(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * What a warning says about a failed send: nodemailer's code and the server's answer, with any email address taken
 * out (servers often echo the recipient, and logs must not carry customers' addresses).
 */
export function mailFailureReason(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  const reason = String(message ?? err).replace(/<?[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+>?/g, '<address>');
  return code ? `${code}: ${reason}` : reason;
}

/**
 * SMTP connections kept open: one per email the document stage keeps in flight (DOCUMENT_STAGE.batch, 25). Each send
 * waits for four answers in turn, so under load (each answer also waits for the worker's event loop) 10 connections
 * were the email queue's limit at 100 orders a second. A relay that allows fewer per client is told in SMTP_URL
 * (`?maxConnections=3`): nodemailer lets the URL's options win.
 */
const SMTP_CONNECTIONS = 25;

/**
 * Sends through SMTP_URL; without one (development), writes each message as
 * an .eml file under MAIL_DIR so the service runs with no mail server.
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly logger = new Logger(Mailer.name);
  private readonly transport: Transporter;
  /** The transport's own SMTP pool, given prepared messages directly (sendPrepared); none in development. */
  private readonly pool: SMTPPool | null;
  private readonly dkim: DKIM | null;

  constructor(private readonly config: AppConfig) {
    // With DKIM set, nodemailer signs each message as it is built, over the exact bytes it sends.
    installFastDotStuffing();
    const dkim = config.dkim ? { dkim: config.dkim } : {};
    // The URL goes inside the options: createTransport(url, options) reads its second argument as message
    // defaults, which left `pool` ignored and opened a new SMTP connection (greeting, EHLO, QUIT) for every email.
    this.transport = config.smtpUrl
      ? nodemailer.createTransport({ url: config.smtpUrl, pool: true, maxConnections: SMTP_CONNECTIONS, ...dkim } as object)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix', ...dkim });
    // An SMTP_URL that turns the pool off (`?pool=false`) keeps nodemailer's Mail layer: only the pool is fed directly.
    const transporter = (this.transport as unknown as { transporter: unknown }).transporter;
    this.pool = transporter instanceof SMTPPool ? transporter : null;
    this.dkim = config.dkim ? new DKIM(config.dkim) : null;
  }

  async send(message: SendMailOptions & { messageId: string }): Promise<SentMail> {
    const info = await this.transport.sendMail({ from: this.config.mailFrom, ...message });
    return this.sent(message.messageId, String(message.subject), info);
  }

  /**
   * Sends a message whose body the caller encoded. With SMTP it goes straight to the transport's pool, the same
   * connections, queue, retries and errors as send(), without nodemailer's Mail layer: that layer built a MimeNode per
   * email (random bytes for a boundary, headers normalised, a stream pipeline) only to stream `raw` back out, about
   * 0.5 ms of the worker's CPU per customer email. The message is the same bytes: the headers nodemailer's own rules
   * encode (headerLine), the prepared content as is, DKIM signed by nodemailer's signer over those bytes, SMTP's
   * dot-stuffing applied by the connection (smtp-dot-stuffing). Without a pool (development: a file) the Mail layer
   * stays.
   */
  async sendPrepared(mail: PreparedMail): Promise<SentMail> {
    if (!this.pool) {
      const info = await this.transport.sendMail({ ...preparedMessage(this.config.mailFrom, mail), messageId: mail.messageId });
      return this.sent(mail.messageId, mail.subject, info);
    }
    const pool = this.pool;
    const message = preparedPoolMessage(this.config.mailFrom, mail, this.dkim);
    await new Promise<void>((resolve, reject) => {
      pool.send(message as never, (err) => (err ? reject(err) : resolve()));
    });
    return { messageId: mail.messageId };
  }

  private async sent(messageId: string, subject: string, info: unknown): Promise<SentMail> {
    if (this.config.smtpUrl) return { messageId };
    const dir = resolve(this.config.mailDir);
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._-]/g, '_')}.eml`);
    await writeFile(file, (info as { message: Buffer }).message);
    this.logger.log(`SMTP_URL unset: wrote "${subject}" to ${file}`);
    return { messageId, file };
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}

const CRLF = Buffer.from('\r\n');
const LF = Buffer.from('\n');

/**
 * What nodemailer's SMTP pool reads of a message (pool-resource.js: `data` for dsn and signal, and `message` for the
 * envelope, the Message-ID it logs, and a stream it may ask for again when it moves the message to a new
 * connection). A line-safe buffer (the PDF's base64) goes on as it is: joined to the rest, it was a copy of the whole
 * PDF per email. The small pieces between are joined, each chunk being one write to the socket. As nodemailer's
 * LastNewline does, a message always ends with a line break.
 */
function preparedPoolMessage(from: string, mail: PreparedMail, dkim: DKIM | null) {
  const chunks: Buffer[] = [];
  let pending: Buffer[] = [];
  const join = () => {
    if (pending.length) chunks.push(pending.length === 1 ? pending[0] : Buffer.concat(pending));
    pending = [];
  };
  for (const piece of [Buffer.from(preparedHead(from, mail)), ...mail.content]) {
    if (!piece.length) continue;
    if (isSmtpLineSafe(piece)) {
      join();
      chunks.push(piece);
    } else pending.push(piece);
  }
  const last = pending.length ? pending[pending.length - 1] : chunks[chunks.length - 1];
  const lastByte = last[last.length - 1];
  if (lastByte === 0x0d) pending.push(LF);
  else if (lastByte !== 0x0a) pending.push(CRLF);
  join();
  const envelope = preparedEnvelope(from, mail.to);
  return {
    data: {},
    message: {
      getEnvelope: () => ({ ...envelope, to: [...envelope.to] }),
      messageId: () => mail.messageId,
      getHeader: (key: string) => (key.toLowerCase() === 'message-id' ? mail.messageId : undefined),
      createReadStream: (): Readable => {
        const stream = new Readable({
          read() {
            for (const chunk of chunks) this.push(chunk);
            this.push(null);
          },
        });
        return dkim ? dkim.sign(stream) : stream;
      },
    },
  };
}
