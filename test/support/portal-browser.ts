import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { ADMIN_TOKEN, TestStack } from './test-stack';

/**
 * What the portal's browser tests share: Chromium, signing in by link, and the
 * checks a person would make by eye (no sideways scroll, visible focus, how
 * much JavaScript the first page costs).
 */
const ROOT = join(__dirname, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
/** The portal as `npm run build` leaves it; the api serves it from here. */
export const PORTAL_INDEX = join(ROOT, 'dist', 'portal', 'index.html');
export const PORTAL_ARTIFACTS = join(ROOT, 'test-artifacts', 'portal');
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
];

type Playwright = typeof import('playwright-core');

function loadPlaywright(): Playwright | null {
  try {
    return require('playwright-core') as Playwright;
  } catch {
    return null;
  }
}

const playwright = loadPlaywright();

/** What the portal's browser tests need and this machine lacks (README, "Optional tools"), or null. */
export function portalSkipReason(): { tool: string; how: string } | null {
  if (!existsSync(CHROMIUM)) return { tool: 'chromium', how: 'apt-get install -y chromium' };
  if (!playwright) return { tool: 'playwright-core', how: 'npm ci' };
  if (!existsSync(PORTAL_INDEX)) return { tool: 'the built portal', how: 'npm run build' };
  return null;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(PORTAL_ARTIFACTS, { recursive: true });
  return playwright!.chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

export type PortalEnvironment = 'staging' | 'production';

/**
 * The link a link-creating route answers names PUBLIC_BASE_URL (a name, not a host
 * that listens here): the same path and token on the test's api.
 */
export function onStack(stack: TestStack, url: string): string {
  const link = new URL(url);
  return stack.apiUrl + link.pathname + link.search;
}

/** An operator's link for a partner (`POST /admin/partners/:id/portal-links`). */
export async function adminLink(stack: TestStack, partnerId: string, environment?: PortalEnvironment): Promise<string> {
  const res = await stack.http('POST', `/admin/partners/${partnerId}/portal-links`, { token: ADMIN_TOKEN, body: environment ? { environment } : {} });
  if (res.status !== 201) throw new Error(`portal link: ${res.status} ${res.json?.error?.code ?? ''}`);
  return onStack(stack, res.json.url);
}

/** The partner's own backend asks for a link with its API key (`POST /v1/portal-sessions`). */
export async function partnerLink(stack: TestStack, apiKey: string): Promise<string> {
  const res = await stack.http('POST', '/v1/portal-sessions', { token: apiKey, body: {} });
  if (res.status !== 201) throw new Error(`portal session link: ${res.status} ${res.json?.error?.code ?? ''}`);
  return onStack(stack, res.json.url);
}

/** Follows a link in a fresh page and waits until the portal shows its navigation. */
export async function signIn(context: BrowserContext, link: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(link);
  await page.waitForURL(/\/portal\/?$/);
  await mainNav(page).waitFor();
  return page;
}

export function mainNav(page: Page) {
  return page.locator('nav').filter({ has: page.getByRole('link', { name: /^Endpoints$/ }) }).first();
}

/** The environment the header shows (`data-environment` on <body> or the header). */
export async function shownEnvironment(page: Page): Promise<string | null> {
  return page.locator('[data-environment]').first().getAttribute('data-environment');
}

/** True when nothing on the page sticks out sideways (the page cannot be scrolled horizontally). */
export async function fitsWidth(page: Page): Promise<{ fits: boolean; scrollWidth: number; width: number }> {
  return page.evaluate(() => {
    // Runs in the page: its globals, not Node's (the test's TypeScript has no DOM types).
    const { document } = globalThis as any;
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const scrollWidth = Math.max(doc.scrollWidth, document.body.scrollWidth);
    return { fits: scrollWidth <= width, scrollWidth, width };
  });
}

/** Whether the focused element is drawn differently from its unfocused self: an outline or a ring. */
export async function focusIsVisible(page: Page): Promise<{ tag: string; name: string; visible: boolean }> {
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as any;
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', name: '', visible: false };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const ring = style.boxShadow !== 'none' && style.boxShadow !== '';
    return { tag: el.tagName.toLowerCase(), name: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60), visible: outline || ring };
  });
}

/**
 * Records every JavaScript file a page loads from the portal, so a test can add up
 * what they weigh compressed (gzip, level 9 as a static server would store them).
 */
export function recordScripts(page: Page): () => Promise<{ files: { url: string; bytes: number; gzip: number }[]; gzipTotal: number }> {
  const responses: Response[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') responses.push(response);
  });
  return async () => {
    const files = await Promise.all(
      responses.map(async (r) => {
        const body = await r.body();
        return { url: new URL(r.url()).pathname, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
      }),
    );
    return { files, gzipTotal: files.reduce((sum, f) => sum + f.gzip, 0) };
  };
}

export function artifact(name: string): string {
  return join(PORTAL_ARTIFACTS, name);
}

/** Clicks a button that asks first (a modal dialog), then confirms in the dialog. */
export async function confirmAction(page: Page, label: RegExp): Promise<void> {
  await page.getByRole('button', { name: label }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: new RegExp(`^(Confirmer|Confirm) : ${label.source.replace(/^\^/, '')}`) }).click();
  await dialog.waitFor({ state: 'hidden' });
}
