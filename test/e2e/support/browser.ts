/**
 * Real Chromium (Debian's, never downloaded) at phone size against the built PWA, plus the
 * few page actions every end-to-end test needs. Everything started here is closed by `closeAll`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = 'test-results/screenshots';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const open: Array<{ close(): Promise<void> }> = [];
const profiles: string[] = [];

/** The e2e tests run against dist/: `npm test` builds it first. */
export function assertBuilt(): void {
  if (!existsSync('dist/index.html') || !existsSync('dist/sw.js'))
    throw new Error('dist/ is missing: run `npm run build` before the e2e tests');
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  open.push(browser);
  return browser;
}

export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((browser) => browser.close().catch(() => undefined)));
  for (const profile of profiles.splice(0)) rmSync(profile, { recursive: true, force: true });
}

type PhoneOptions = { colorScheme?: 'light' | 'dark'; baseURL: string; serviceWorkers?: 'allow' | 'block' };

const phone = (options: PhoneOptions) => ({
  baseURL: options.baseURL,
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  colorScheme: options.colorScheme ?? 'light',
  locale: 'en-GB',
  serviceWorkers: options.serviceWorkers ?? 'allow',
});

export function phoneContext(browser: Browser, options: PhoneOptions): Promise<BrowserContext> {
  return browser.newContext(phone(options));
}

/** A real profile on disk: Chromium refuses to call an incognito context installable. */
export async function persistentPhone(options: PhoneOptions): Promise<BrowserContext> {
  const profile = mkdtempSync(joinPath(tmpdir(), 'chat-e2e-profile-'));
  profiles.push(profile);
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, ...phone(options) });
  open.push(context);
  return context;
}

/** First visit: pick a name, then wait until the chat is connected and the service worker holds the shell. */
export async function join(page: Page, name: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
  await waitForOnline(page);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
}

export async function waitForOnline(page: Page, timeout = 20_000): Promise<void> {
  await page.getByRole('status').filter({ hasText: 'Online' }).waitFor({ timeout });
}

export function timeline(page: Page): Locator {
  return page.getByRole('list', { name: 'Messages' }).getByRole('listitem');
}

export function messageWith(page: Page, text: string): Locator {
  return timeline(page).filter({ hasText: text });
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await box.press('Enter');
  await messageWith(page, text).first().waitFor();
}

/** The text of every message in timeline order, for order and exactly-once checks. */
export async function contents(page: Page): Promise<string[]> {
  return page.locator('[data-client-offset] .content').allTextContents();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}
