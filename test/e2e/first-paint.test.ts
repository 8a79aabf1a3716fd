/**
 * index.html's first paint (#boot, client/boot-paint.ts): before any of the app's scripts
 * runs, a first visit sees Join's intro and a device signed in last time "Opening chat…" (an
 * inline script, allowed by its hash in the Content-Security-Policy, reads the signed-in hint).
 * The intro stays where Join shows it, so its paint is the page's largest and nothing moves.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, launchBrowser, phoneContext, screenshot, waitForOnline } from './support/browser';
import { useServer } from './support/server-fixture';
import { SIGNED_IN_HINT_KEY } from '../../client/io/signed-in-hint';

const APP_SCRIPTS = /\/assets\/.+\.js$/;

/** A page whose own scripts never load (no service worker either, which would serve them past the route). */
async function withoutAppScripts(browser: Browser, baseURL: string, hint: boolean): Promise<{ page: Page; console: string[] }> {
  const context = await phoneContext(browser, { baseURL, serviceWorkers: 'block' });
  if (hint) await context.addInitScript((key) => localStorage.setItem(key, '1'), SIGNED_IN_HINT_KEY);
  const page = await context.newPage();
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  await page.route(APP_SCRIPTS, (route) => route.abort());
  await page.goto('/');
  return { page, console };
}

const boxOf = (page: Page, selector: string) => page.locator(selector).first().boundingBox();

describe('the first paint', () => {
  const server = useServer();
  afterAll(closeAll);

  it("paints a first visit Join's intro from the HTML alone, and a returning device 'Opening chat…'", async () => {
    const browser = await launchBrowser();
    const first = await withoutAppScripts(browser, server().url, false);
    await expect(first.page.getByRole('heading', { name: 'Offline Chat' }).isVisible()).resolves.toBe(true);
    await expect(first.page.getByText('Pick a name to start.').isVisible()).resolves.toBe(true);
    await expect(first.page.getByText('Opening chat…').isVisible()).resolves.toBe(false);
    await screenshot(first.page, 'first-paint-join-intro');

    const returning = await withoutAppScripts(browser, server().url, true);
    await expect(returning.page.getByText('Opening chat…').isVisible()).resolves.toBe(true);
    await expect(returning.page.getByRole('heading', { name: 'Offline Chat' }).isVisible()).resolves.toBe(false);
    // The inline script ran: the policy names its hash (a blocked one would leave the intro up and say so here).
    expect(returning.console.filter((line) => line.includes('Content Security Policy'))).toEqual([]);
  });

  it("keeps the intro where Join shows it: its paint is the page's largest, and nothing shifts", async () => {
    const browser = await launchBrowser();
    const shell = await withoutAppScripts(browser, server().url, false);
    const painted = await boxOf(shell.page, '#boot .join-lead');

    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Name' }).waitFor();
    expect(await page.locator('#boot').count()).toBe(0);
    expect(await boxOf(page, '#app .join-lead')).toEqual(painted);
    const paints = await page.evaluate(
      () =>
        new Promise<{ fcp: number; lcp: number[]; shifts: number }>((resolve) => {
          const lcp: number[] = [];
          let shifts = 0;
          new PerformanceObserver((list) => lcp.push(...list.getEntries().map((entry) => entry.startTime))).observe({
            type: 'largest-contentful-paint',
            buffered: true,
          });
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) shifts += (entry as PerformanceEntry & { value: number }).value;
          }).observe({ type: 'layout-shift', buffered: true });
          const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1;
          setTimeout(() => resolve({ fcp, lcp, shifts }), 200);
        }),
    );
    // The largest paint is the first one: the HTML's intro, not Join's copy of it painted later.
    expect(paints.lcp.at(-1)).toBe(paints.fcp);
    expect(paints.shifts).toBe(0);

    // Joining leaves the intro behind for the chat; a reload of a signed-in device goes straight back to it.
    await page.getByRole('textbox', { name: 'Name' }).fill('First paint');
    await page.getByRole('button', { name: 'Join' }).click();
    await waitForOnline(page);
    // Installed, so the reload is the service worker's page.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await waitForOnline(page);
    // The hint the app wrote is the one index.html reads, also on a page the service worker served (with its stored CSP).
    expect(await page.evaluate(() => [Boolean(navigator.serviceWorker.controller), document.documentElement.dataset.boot])).toEqual([
      true,
      'chat',
    ]);
    expect(await page.locator('#boot').count()).toBe(0);
    await expect(page.getByRole('textbox', { name: 'Message', exact: true }).isEnabled()).resolves.toBe(true);
  });
});
