import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { paidOrder } from './support/partner-fixtures';
import { pdfText } from './support/pdf-text';
import { announceSkipped } from './support/optional-tool';
import { artifact, confirmAction, launchChromium, mainNav, partnerLink, portalSkipReason, signIn } from './support/portal-browser';
import { TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/**
 * Issue 16's journey, in Chromium against the whole stack (api serving the built
 * portal, worker, Stripe emulator, a real HTTP receiver): a partner's developer
 * signs in by link, creates a staging endpoint, pays a checkout and watches
 * order.paid and invoice.issued arrive with their attempts, makes the receiver
 * fail and watches the retries come in live, resends, recovers a window, rotates
 * the secret (both signatures verify on the receiver), downloads the invoice PDF,
 * then switches to production and sees none of it.
 *
 * Screenshots go to test-artifacts/portal/. PORTAL_DOCS_SCREENSHOTS=1 also copies
 * the docs' ones (endpoints list, message with attempts; fr and en) to
 * docs-site/static/img/, for when the portal's look changed on purpose.
 */

/** Three days of retries shrunk 33,000 times (about 8 s for all ten): slow enough to watch, under the 2 s refresh. */
const SCHEDULE_SCALE = 3e-5;
const skip = portalSkipReason();
const DOCS_IMG = join(__dirname, '..', 'docs-site', 'static', 'img');

if (skip) {
  describe('partner portal in a browser', () => {
    it.skip(`needs ${skip.tool}`, () => undefined);
    announceSkipped('partner portal in a browser', skip.tool, skip.how);
  });
} else {
  describe('partner portal in a browser: the staging journey', () => {
    let stack: TestStack;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let apiKey: string;
    let endpointId: string;
    let firstSecret: string;
    let order: { orderId: string; invoiceNumber: string };
    let orderPaidId: string;
    const pageErrors: string[] = [];
    const startedAt = new Date();

    beforeAll(async () => {
      stack = await TestStack.start({ env: { WEBHOOK_SCHEDULE_SCALE: String(SCHEDULE_SCALE) } });
      apiKey = (await stack.createPartner()).api_keys.test;
      browser = await launchChromium();
      // The partner's developer reads French; times shown in UTC so the recovery window is easy to type.
      context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'fr-FR', timezoneId: 'UTC', acceptDownloads: true });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
    });

    afterEach(() => {
      expect(pageErrors).toEqual([]);
    });

    async function shot(name: string): Promise<string> {
      const path = artifact(`${name}.png`);
      await page.screenshot({ path });
      return path;
    }

    /** The docs' copy of a screenshot, kept small. */
    function toDocs(path: string, name: string): void {
      expect(statSync(path).size).toBeLessThan(200 * 1024);
      if (process.env.PORTAL_DOCS_SCREENSHOTS === '1') copyFileSync(path, join(DOCS_IMG, `portal-${name}.png`));
    }

    async function openSection(name: RegExp): Promise<void> {
      await mainNav(page).getByRole('link', { name }).click();
      await page.locator('h1').first().waitFor();
    }

    it('signs in with the link the partner backend asked for, in staging', async () => {
      page = await signIn(context, await partnerLink(stack, apiKey));
      page.on('pageerror', (error) => pageErrors.push(error.message));
      expect(await page.locator('[data-environment]').first().getAttribute('data-environment')).toBe('staging');
      expect(await page.getByTestId('environment-badge').textContent()).toContain('staging');
      expect(await page.getByTestId('partner-name').innerText()).toBe('Atelier Lumière');
      // The cookie is the browser's only credential, out of the page's reach.
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === 'ca_portal')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
      expect(await page.evaluate(() => (globalThis as any).document.cookie as string)).not.toContain('ca_portal');
    });

    it('creates a staging endpoint and shows its secret once', async () => {
      await page.getByTestId('new-endpoint').click();
      await page.getByLabel('URL').fill(stack.receiverUrl);
      await page.getByLabel('Description').fill('Back-office boutique');
      await page.getByRole('button', { name: 'Créer l’endpoint' }).click();
      firstSecret = await page.getByTestId('endpoint-secret').innerText();
      expect(firstSecret).toMatch(/^whsec_/);
      await page.getByRole('link', { name: 'Ouvrir' }).click();
      await page.waitForURL(/\/portal\/endpoints\/ep_/);
      endpointId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      const [row] = await stack.sql<{ url: string; environment: string }>('SELECT url, environment FROM endpoints WHERE id = $1', [endpointId]);
      expect(row).toEqual({ url: stack.receiverUrl, environment: 'staging' });

      await openSection(/^Endpoints$/);
      const listed = page.getByTestId('endpoint-row');
      await listed.first().waitFor();
      expect(await listed.count()).toBe(1);
      expect(await listed.first().innerText()).toContain(stack.receiverUrl);
    });

    it('shows order.paid and invoice.issued with their attempts after a paid checkout', async () => {
      order = await paidOrder(stack, apiKey, 'CMD-PORTAIL-1');
      await waitFor('both messages delivered', () =>
        stack.sql(`SELECT 1 FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE m.order_id = $1 AND d.status = 'delivered' HAVING count(*) >= 2`, [order.orderId]),
      );
      await openSection(/^Messages$/);
      const rows = page.getByTestId('message-row');
      await page.getByTestId('message-row').filter({ hasText: 'invoice.issued' }).first().waitFor();
      const listed = await rows.allInnerTexts();
      expect(listed.some((r) => r.includes('order.paid'))).toBe(true);
      expect(listed.some((r) => r.includes('invoice.issued'))).toBe(true);
      await shot('messages-fr');

      await rows.filter({ hasText: 'order.paid' }).first().getByRole('link').first().click();
      await page.waitForURL(/\/portal\/messages\/msg_/);
      orderPaidId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      const attempts = page.getByTestId('attempt-row');
      await attempts.first().waitFor();
      expect(await attempts.first().getAttribute('data-status')).toBe('200');
      expect(await page.locator('body').innerText()).toContain(order.orderId);
      toDocs(await shot('message-fr'), 'message-fr');
    });

    it('resends to a failing receiver and shows the retries as they happen, without a reload', async () => {
      stack.receiver.setHandler(() => 500);
      const before = await page.getByTestId('attempt-row').count();
      const seen = new Set<number>();
      const navigations: string[] = [];
      page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations.push(frame.url()));
      await page.getByTestId('resend-all').click();
      await waitFor(
        'the delivery to be given up and shown so',
        async () => {
          seen.add(await page.getByTestId('attempt-row').count());
          const [d] = await stack.sql<{ status: string }>('SELECT status FROM deliveries WHERE message_id = $1', [orderPaidId]);
          const badge = await page.getByTestId('delivery').getAttribute('data-status');
          // Thrown, so a time-out says where it stood.
          if (d.status !== 'failed' || badge !== 'failed') throw new Error(`delivery ${d.status} (page: ${badge})`);
          return true;
        },
        45_000,
        100,
      ).catch(async (err) => {
        await shot('message-retries-timeout');
        throw err;
      });
      const recorded = (await stack.sql('SELECT 1 FROM attempts WHERE message_id = $1', [orderPaidId])).length;
      expect(recorded).toBe(before + 10);
      // Live: the page showed the count growing between the first and the last retry, on its own.
      const between = [...seen].filter((n) => n > before + 1 && n < recorded);
      expect({ between: between.length > 0, seen: [...seen].sort((a, b) => a - b) }).toMatchObject({ between: true });
      expect(navigations).toEqual([]);
      await shot('message-retries-fr');
    });

    it('shows every recorded attempt once the delivery is given up, without a reload', async () => {
      const recorded = (await stack.sql('SELECT 1 FROM attempts WHERE message_id = $1', [orderPaidId])).length;
      await waitFor('every attempt shown', async () => (await page.getByTestId('attempt-row').count()) === recorded);
      expect(await page.locator('[data-testid="attempt-row"][data-status="500"]').count()).toBe(10);
    });

    it('recovers the failed window on the endpoint page: the message is delivered again with its id', async () => {
      stack.receiver.setHandler(undefined);
      const receivedBefore = stack.receiver.received.filter((r) => r.headers['webhook-id'] === orderPaidId).length;
      await page.goto(`${stack.apiUrl}/portal/endpoints/${endpointId}`);
      await page.getByLabel('Depuis').fill(startedAt.toISOString().slice(0, 16));
      await page.getByRole('button', { name: 'Récupérer' }).click();
      expect(Number(await page.getByTestId('recover-scheduled').innerText())).toBeGreaterThanOrEqual(1);
      await waitFor('the recovered delivery', async () => {
        const [d] = await stack.sql<{ status: string }>('SELECT status FROM deliveries WHERE message_id = $1', [orderPaidId]);
        return d.status === 'delivered';
      });
      expect(stack.receiver.received.filter((r) => r.headers['webhook-id'] === orderPaidId).length).toBe(receivedBefore + 1);
      await page.goto(`${stack.apiUrl}/portal/messages/${orderPaidId}`);
      await page.locator('[data-testid="attempt-row"][data-status="200"]').nth(1).waitFor();
      await shot('message-recovered-fr');
    });

    it('rotates the secret: during the overlap a ping carries two signatures and both verify', async () => {
      await page.goto(`${stack.apiUrl}/portal/endpoints/${endpointId}`);
      await page.getByRole('button', { name: 'Afficher le secret' }).click();
      expect(await page.getByTestId('endpoint-secret').innerText()).toBe(firstSecret);
      await confirmAction(page, /^Renouveler le secret$/);
      await page.getByText('L’ancien signe encore jusqu’au').waitFor();
      const secret = page.getByTestId('endpoint-secret');
      await waitFor('the new secret shown', async () => (await secret.innerText()) !== firstSecret);
      const newSecret = await secret.innerText();
      expect(newSecret).toMatch(/^whsec_/);

      await page.getByTestId('send-ping').click();
      const result = page.getByTestId('ping-result');
      await result.waitFor();
      expect(await result.getByTestId('attempt-row').getAttribute('data-status')).toBe('200');
      const ping = stack.receiver.ofType('ping').at(-1)!;
      const signatures = String(ping.headers['webhook-signature']).split(' ');
      expect(signatures).toHaveLength(2);
      const verifies = (secretKey: string, signature: string) => {
        try {
          new Webhook(secretKey).verify(ping.body, {
            'webhook-id': String(ping.headers['webhook-id']),
            'webhook-timestamp': String(ping.headers['webhook-timestamp']),
            'webhook-signature': signature,
          });
          return true;
        } catch {
          return false;
        }
      };
      // One signature per secret: the new one and the old one each verify exactly one.
      expect(signatures.map((s) => [verifies(newSecret, s), verifies(firstSecret, s)])).toEqual(expect.arrayContaining([[true, false], [false, true]]));
    });

    it('downloads the invoice PDF from the order', async () => {
      await openSection(/^Commandes$/);
      const row = page.getByTestId('order-row').filter({ hasText: 'CMD-PORTAIL-1' });
      await row.getByRole('link').first().click();
      await page.waitForURL(/\/portal\/orders\/ord_/);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('invoice-pdf').click()]);
      const pdf = Buffer.from(await (await import('node:fs/promises')).readFile((await download.path())!));
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(await pdfText(pdf)).toContain(order.invoiceNumber);
      expect(download.suggestedFilename()).toContain(order.invoiceNumber);
      await shot('order-fr');
    });

    it('switches to production and shows none of staging\'s data, the header saying so', async () => {
      await page.getByLabel('Environnement').selectOption('production');
      await page.locator('body[data-environment="production"]').waitFor();
      expect(await page.getByTestId('environment-badge').textContent()).toContain('production');
      await openSection(/^Endpoints$/);
      await page.getByText('Aucun endpoint dans cet environnement').waitFor();
      expect(await page.getByTestId('endpoint-row').count()).toBe(0);
      await openSection(/^Messages$/);
      await page.getByText('Aucun message').waitFor();
      expect(await page.getByTestId('message-row').count()).toBe(0);
      await openSection(/^Commandes$/);
      await page.getByText('Aucune commande dans cet environnement').waitFor();
      expect(await page.getByTestId('order-row').count()).toBe(0);
      // A staging id typed into the address bar is not found in production.
      await page.goto(`${stack.apiUrl}/portal/messages/${orderPaidId}`);
      await page.getByTestId('error-alert').waitFor();
      expect(await page.getByTestId('error-alert').innerText()).toContain('not_found');
      expect(await page.locator('body').getAttribute('data-environment')).toBe('production');
      await page.getByLabel('Environnement').selectOption('staging');
      await page.locator('body[data-environment="staging"]').waitFor();
    });

    it('reads the same pages in English (screenshots for the docs)', async () => {
      await openSection(/^Endpoints$/);
      await page.getByTestId('endpoint-row').first().waitFor();
      toDocs(await shot('endpoints-fr'), 'endpoints-fr');
      await page.getByRole('button', { name: 'EN' }).click();
      await mainNav(page).getByRole('link', { name: 'Orders' }).waitFor();
      await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
      await page.getByRole('link', { name: 'New endpoint' }).waitFor();
      toDocs(await shot('endpoints-en'), 'endpoints-en');
      await page.goto(`${stack.apiUrl}/portal/messages/${orderPaidId}`);
      await page.getByTestId('attempt-row').first().waitFor();
      await page.getByRole('button', { name: /^Resend to all endpoints$/ }).waitFor();
      toDocs(await shot('message-en'), 'message-en');
    });
  });
}
