import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * An SMTP server in the test process that keeps each message's raw bytes beside the parsed form:
 * a DKIM signature is checked over the bytes as received.
 */
export class RawSmtpCatcher {
  readonly messages: { raw: Buffer; mail: ParsedMail }[] = [];
  private server?: SMTPServer;

  async start(): Promise<string> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          // keepCidLinks: the HTML as sent (mailparser would otherwise inline the related parts itself).
          simpleParser(raw, { keepCidLinks: true })
            .then((mail) => {
              this.messages.push({ raw, mail });
              cb();
            })
            .catch(cb);
        });
      },
    });
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  find(pick: (mail: ParsedMail) => boolean) {
    return this.messages.find((m) => pick(m.mail));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export const CHROMIUM = '/usr/bin/chromium';
export const EMAIL_ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'email');

type Playwright = typeof import('playwright-core');
function loadPlaywright(): Playwright | null {
  try {
    return require('playwright-core') as Playwright;
  } catch {
    return null;
  }
}
export const playwright = existsSync(CHROMIUM) ? loadPlaywright() : null;

/** The HTML part with each `cid:` reference replaced by a data: URI of its related part, as a mail client shows it. */
export function htmlWithInlineParts(mail: ParsedMail): string {
  let html = String(mail.html);
  for (const a of mail.attachments) {
    if (!a.cid) continue;
    html = html.split(`cid:${a.cid}`).join(`data:${a.contentType};base64,${a.content.toString('base64')}`);
  }
  return html;
}

export interface EmailRender {
  /** Requests the page made to anything but its own content and data: URIs (remote images, fonts, CSS). */
  remoteRequests: string[];
  /** document.scrollingElement.scrollWidth at each width. */
  scrollWidth: Record<number, number>;
  screenshots: Record<number, Buffer>;
}

/** Opens the email in Chromium at desktop and phone widths, counting any request it makes, and takes screenshots. */
export async function renderEmail(html: string, name: string, widths = [1024, 390], colorScheme: 'light' | 'dark' = 'light'): Promise<EmailRender> {
  const browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const out: EmailRender = { remoteRequests: [], scrollWidth: {}, screenshots: {} };
  mkdirSync(EMAIL_ARTIFACTS, { recursive: true });
  try {
    for (const width of widths) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme, javaScriptEnabled: false });
      const page = await context.newPage();
      await page.route('**', (route) => {
        const url = route.request().url();
        if (!url.startsWith('data:') && url !== 'about:blank') out.remoteRequests.push(url);
        return route.abort();
      });
      await page.setContent(html, { waitUntil: 'load' });
      // A string, so the test's TypeScript needs no DOM types: the page's own width, scrolled sideways or not.
      out.scrollWidth[width] = await page.evaluate('document.scrollingElement.scrollWidth');
      const shot = await page.screenshot({ fullPage: true });
      out.screenshots[width] = shot;
      writeFileSync(join(EMAIL_ARTIFACTS, `${name}-${width}${colorScheme === 'dark' ? '-dark' : ''}.png`), shot);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}
