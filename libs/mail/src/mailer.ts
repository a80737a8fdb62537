import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { SendMailOptions, Transporter } from 'nodemailer';
import { AppConfig } from '@app/config';
import { type PreparedMail, preparedMessage } from './mail-headers';
import { installFastDotStuffing } from './smtp-dot-stuffing';

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
 * SMTP connections kept open. The document stage keeps up to 25 emails in flight (DOCUMENT_STAGE.batch), and at
 * 100 orders a second 5 connections were the email queue's limit: each send waits for four answers in turn. A relay
 * that allows fewer per client is told in SMTP_URL (`?maxConnections=3`): nodemailer lets the URL's options win.
 */
const SMTP_CONNECTIONS = 10;

/**
 * Sends through SMTP_URL; without one (development), writes each message as
 * an .eml file under MAIL_DIR so the service runs with no mail server.
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly logger = new Logger(Mailer.name);
  private readonly transport: Transporter;

  constructor(private readonly config: AppConfig) {
    // With DKIM set, nodemailer signs each message as it is built, over the exact bytes it sends.
    installFastDotStuffing();
    const dkim = config.dkim ? { dkim: config.dkim } : {};
    // The URL goes inside the options: createTransport(url, options) reads its second argument as message
    // defaults, which left `pool` ignored and opened a new SMTP connection (greeting, EHLO, QUIT) for every email.
    this.transport = config.smtpUrl
      ? nodemailer.createTransport({ url: config.smtpUrl, pool: true, maxConnections: SMTP_CONNECTIONS, ...dkim } as object)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix', ...dkim });
  }

  async send(message: SendMailOptions & { messageId: string }): Promise<SentMail> {
    const info = await this.transport.sendMail({ from: this.config.mailFrom, ...message });
    return this.sent(message.messageId, String(message.subject), info);
  }

  /**
   * Sends a message whose body the caller encoded: nodemailer gets it whole as `raw` (one buffer, streamed to the
   * server in one piece) and only runs SMTP and DKIM. Building five MIME nodes per email with nodemailer, headers
   * parsed and encoded per node, cost the worker about 1 ms per customer email. The headers here are still encoded by
   * nodemailer's own rules (headerLine). SMTP's dot-stuffing still applies to every line (smtp-dot-stuffing).
   */
  async sendPrepared(mail: PreparedMail): Promise<SentMail> {
    const info = await this.transport.sendMail({ ...preparedMessage(this.config.mailFrom, mail), messageId: mail.messageId });
    return this.sent(mail.messageId, mail.subject, info);
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
