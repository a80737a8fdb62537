import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { announceSkipped } from './support/optional-tool';

/**
 * The built partner docs (docs-site/build, made by `npm run docs:build`) in a
 * real browser: every page of both languages renders, the language switch
 * works, the Mermaid diagram and the generated webhook reference are there.
 * Screenshots go to test-artifacts/ for a person to look at.
 */
const ROOT = join(__dirname, '..');
const DOCS_SITE = join(ROOT, 'docs-site');
const BUILD = join(DOCS_SITE, 'build');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

// Only what this test uses of playwright-core, which lives in docs-site/node_modules.
interface Locator {
  first(): Locator;
  textContent(): Promise<string | null>;
  innerText(): Promise<string>;
  count(): Promise<number>;
  hover(): Promise<void>;
  click(): Promise<void>;
  waitFor(options?: { state?: 'visible' | 'attached'; timeout?: number }): Promise<void>;
  scrollIntoViewIfNeeded(): Promise<void>;
  getAttribute(name: string): Promise<string | null>;
  evaluate<R, A>(fn: (element: any, arg: A) => R, arg: A): Promise<R>;
}
interface Page {
  goto(url: string): Promise<{ status(): number } | null>;
  locator(selector: string): Locator;
  url(): string;
  on(event: 'pageerror', listener: (error: Error) => void): void;
  waitForURL(url: RegExp): Promise<void>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<Buffer>;
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: { launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<Browser> };
}

function loadPlaywright(): PlaywrightCore | string {
  try {
    return require(require.resolve('playwright-core', { paths: [DOCS_SITE] })) as PlaywrightCore;
  } catch {
    return 'playwright-core';
  }
}

const playwright = loadPlaywright();
// What the browser test needs and this machine lacks (README, "Optional tools"), or null.
const skipReason = !existsSync(join(BUILD, 'index.html'))
  ? { tool: 'the built docs site', how: 'npm run docs:build' }
  : !existsSync(CHROMIUM)
    ? { tool: 'chromium', how: 'apt-get install -y chromium' }
    : typeof playwright === 'string'
      ? { tool: 'playwright-core in docs-site', how: 'npm --prefix docs-site ci' }
      : null;

/** Every page, with its title in each language. */
const PAGES: { path: string; fr: string; en: string }[] = [
  { path: '/', fr: "Intégration Stripe - Vue d'ensemble", en: 'Stripe integration - Overview' },
  { path: '/configuration', fr: 'Configuration', en: 'Configuration' },
  { path: '/webhook', fr: 'Webhook', en: 'Webhook' },
  { path: '/staging-tests', fr: 'Tests en staging', en: 'Staging tests' },
  { path: '/payments', fr: 'Paiements', en: 'Payments' },
  { path: '/invoices', fr: 'Factures', en: 'Invoices' },
  { path: '/customer-email', fr: 'Email au client', en: 'Customer email' },
  { path: '/portal', fr: 'Portail partenaire', en: 'Partner portal' },
  { path: '/api-reference', fr: "Référence de l'API", en: 'API reference' },
  { path: '/go-live', fr: 'Mise en production', en: 'Go-live checklist' },
  { path: '/changelog', fr: 'Changelog', en: 'Changelog' },
];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
};

/** Serves the build the way a static host does: `/x` -> `x.html` or `x/index.html`. */
function serveBuild(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const candidates = [join(BUILD, path), `${join(BUILD, path)}.html`, join(BUILD, path, 'index.html')];
    const file = candidates.find((f) => f.startsWith(BUILD) && existsSync(f) && statSync(f).isFile());
    if (!file) {
      res.writeHead(404, { 'content-type': CONTENT_TYPES['.html'] });
      createReadStream(join(BUILD, '404.html')).pipe(res);
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

if (skipReason) {
  describe('docs site in a browser', () => {
    it.skip(`needs ${skipReason.tool}`, () => undefined);
    announceSkipped('docs site in a browser', skipReason.tool, skipReason.how);
  });
} else {
  describe('docs site in a browser', () => {
    let server: Server;
    let browser: Browser;
    let page: Page;
    let base: string;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      server = await serveBuild();
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await (playwright as PlaywrightCore).chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => server?.close(resolve));
    });

    afterEach(() => {
      expect(pageErrors).toEqual([]);
    });

    async function open(path: string): Promise<void> {
      const response = await page.goto(base + path);
      expect(response?.status()).toBe(200);
      await page.locator('article h1').first().waitFor();
    }

    for (const locale of ['fr', 'en'] as const) {
      const prefix = locale === 'fr' ? '' : '/en';

      it(`renders every page's title in ${locale}, in the right html lang`, async () => {
        for (const p of PAGES) {
          await open(prefix + (p.path === '/' ? '/' : p.path));
          expect({ path: p.path, h1: (await page.locator('article h1').first().innerText()).trim() }).toEqual({ path: p.path, h1: p[locale] });
          expect(await page.locator('html').getAttribute('lang')).toBe(locale === 'fr' ? 'fr-FR' : 'en-GB');
        }
      });

      it(`renders every generated API reference page in ${locale}`, async () => {
        await open(`${prefix}/api-reference`);
        // Runs in the browser (no DOM types in this project's tsconfig, hence `any`).
        const links = await page.locator('article').first().evaluate((article: any, apiPrefix: string): string[] => [
          ...new Set<string>([...article.querySelectorAll('a[href]')].map((a: any) => new URL(a.href).pathname).filter((p: string) => p.startsWith(`${apiPrefix}/`))),
        ], `${prefix}/api-reference`);
        expect(links.length).toBeGreaterThan(0);
        for (const link of links) {
          await open(link);
          expect((await page.locator('article h1').first().innerText()).trim()).not.toBe('');
          expect(await page.locator('article h2 code').count()).toBeGreaterThan(0);
        }
      });

      it(`home page (${locale}): the flow as a rendered Mermaid diagram, the environments`, async () => {
        await open(`${prefix}/`);
        const diagram = page.locator('.docusaurus-mermaid-container svg').first();
        await diagram.waitFor({ timeout: 20_000 });
        expect(await diagram.textContent()).toContain('ComptAppart');
        const text = await page.locator('article').first().innerText();
        expect(text).toContain('ca_test_');
        expect(text).toContain('ca_live_');
        await page.screenshot({ path: join(ARTIFACTS, `docs-home-${locale}.png`), fullPage: true });
      });

      it(`webhook page (${locale}): every event type from the code, headers, the signature samples`, async () => {
        await open(`${prefix}/webhook`);
        const article = await page.locator('article').first().innerText();
        const schema = JSON.parse(readFileSync(join(ROOT, 'docs', 'webhook-events.schema.json'), 'utf8')) as Record<string, unknown>;
        for (const type of Object.keys(schema)) {
          // A missing type means the build is older than the schemas: run `npm run docs:build`.
          const sections = await page.locator(`[id="${type.replace(/[^a-z0-9]+/g, '-')}"]`).count();
          expect({ type, sections }).toEqual({ type, sections: 1 });
          expect(article).toContain(`"type": "${type}"`);
        }
        for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) expect(article).toContain(header);
        expect(article).toContain('new Webhook(secret)');
        await page.screenshot({ path: join(ARTIFACTS, `docs-webhook-${locale}.png`) });
        const python = page.locator('[role="tab"]:has-text("Python")').first();
        await python.click();
        expect(await page.locator('[role="tabpanel"]:not([hidden])').first().innerText()).toContain('hmac.compare_digest');
        await page.locator('#verify').scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(ARTIFACTS, `docs-webhook-verify-${locale}.png`) });
      });
    }

    it('the language switch goes from the French page to the same English page and back', async () => {
      await open('/webhook');
      expect(await page.locator('article').first().innerText()).toContain('Vérifier la signature');
      await page.locator('.navbar__item.dropdown').first().hover();
      await page.locator('a.dropdown__link:has-text("English")').first().click();
      await page.waitForURL(/\/en\/webhook$/);
      await page.locator('article h2#verify').first().waitFor();
      expect(await page.locator('article').first().innerText()).toContain('Verifying the signature');
      await page.locator('.navbar__item.dropdown').first().hover();
      await page.locator('a.dropdown__link:has-text("Français")').first().click();
      await page.waitForURL(/\/webhook$/);
      expect(page.url()).not.toContain('/en/');
      await page.locator('article h2#verify').first().waitFor();
      expect(await page.locator('article').first().innerText()).toContain('Vérifier la signature');
    });
  });
}
