import MimeNode, { type MimeNodeHeaderValue } from 'nodemailer/lib/mime-node';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import addressparser from 'nodemailer/lib/addressparser';

/**
 * One node kept for its header encoder: nodemailer's own rules (RFC 2047 words, quoted names, punycode domains,
 * Message-ID brackets, Date format), without building a MIME tree per message. A new node per call would draw
 * random bytes for a boundary it never uses.
 */
const encoder = new MimeNode();

/** `Key: value` encoded and folded at 76 columns as nodemailer writes it in the messages it builds. */
export function headerLine(key: string, value: MimeNodeHeaderValue): string {
  return foldLines(`${key}: ${encoder.encodeHeaderValue(key, value)}`, 76);
}

/*
 * The lines that repeat from one email to the next, kept: the platform's From, a seller's Reply-To (a few hundred
 * sellers, the map emptied past that), and the Date of the current second. Parsing and encoding an address is most
 * of what a header costs, about 40 µs per email for all of them.
 */
const addressLines = new Map<string, string>();
const ADDRESS_LINES_KEPT = 1000;
let dateLine = { second: NaN, line: '' };

function repeatedAddressLine(key: 'From' | 'Reply-To', value: string): string {
  const memo = `${key}\n${value}`;
  let line = addressLines.get(memo);
  if (line === undefined) {
    if (addressLines.size >= ADDRESS_LINES_KEPT) addressLines.clear();
    addressLines.set(memo, (line = headerLine(key, value)));
  }
  return line;
}

function dateHeaderLine(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (dateLine.second !== second) dateLine = { second, line: headerLine('Date', date) };
  return dateLine.line;
}

const senders = new Map<string, string>();

/** The bare address of a From value ("Name <address>" or "address"), for the SMTP envelope; read once per value. */
export function envelopeAddressOf(from: string): string {
  let address = senders.get(from);
  if (address === undefined) {
    const [first] = addressparser(from, { flatten: true });
    address = first?.address ?? from;
    senders.set(from, address);
  }
  return address;
}

/**
 * A message whose body is already MIME-encoded (see Mailer.sendPrepared): `content` starts with its Content-Type
 * header, a blank line, then the body, lines ending in CRLF and none longer than 998 bytes.
 */
export interface PreparedMail {
  messageId: string;
  to: string | { name: string; address: string };
  replyTo?: string;
  subject: string;
  content: Buffer[];
}

/** The message headers as nodemailer would write them first, before the prepared content. */
export function preparedHead(from: string, mail: PreparedMail, date = new Date()): string {
  return (
    `${repeatedAddressLine('From', from)}\r\n` +
    `${headerLine('To', mail.to)}\r\n` +
    (mail.replyTo ? `${repeatedAddressLine('Reply-To', mail.replyTo)}\r\n` : '') +
    `${headerLine('Subject', mail.subject)}\r\n` +
    `${headerLine('Message-ID', mail.messageId)}\r\n` +
    `${dateHeaderLine(date)}\r\n` +
    'MIME-Version: 1.0\r\n'
  );
}

/** The whole message as one buffer, the headers nodemailer would write first, and its SMTP envelope. */
export function preparedMessage(from: string, mail: PreparedMail, date = new Date()): { raw: Buffer; envelope: { from: string; to: string } } {
  return {
    raw: Buffer.concat([Buffer.from(preparedHead(from, mail, date)), ...mail.content]),
    envelope: { from: envelopeAddressOf(from), to: typeof mail.to === 'string' ? mail.to : mail.to.address },
  };
}

/**
 * The SMTP envelope as nodemailer's Mail layer hands it to the transport (MimeNode#setEnvelope: addresses parsed,
 * punycoded domains, recipients as a list), the sender read once per From value.
 */
export function preparedEnvelope(from: string, to: PreparedMail['to']): { from: string | false; to: string[] } {
  let sender = envelopeSenders.get(from);
  if (sender === undefined) {
    sender = (encoder.setEnvelope({ from: envelopeAddressOf(from) }).getEnvelope() as { from: string | false }).from;
    envelopeSenders.set(from, sender);
  }
  const recipients = (encoder.setEnvelope({ to: typeof to === 'string' ? to : to.address }).getEnvelope() as { to: string[] }).to;
  return { from: sender, to: recipients };
}

const envelopeSenders = new Map<string, string | false>();
