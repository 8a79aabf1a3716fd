/**
 * The Join screen and the chat are separate chunks (client/App.vue): a first visit loads and runs
 * none of the chat, and a returning device starts loading the chat at once on a localStorage hint
 * (client/io/signed-in-hint.ts) that can be wrong without changing what is shown.
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, launchBrowser, phoneContext, waitForOnline } from './support/browser';
import { useServer } from './support/server-fixture';
import { SIGNED_IN_HINT_KEY } from '../../client/io/signed-in-hint';

const CHAT_CHUNK = /\/assets\/ChatShell-[^/]+\.js$/;

/** What the page itself asked for (the service worker's precache fetches are not the page's), and its sockets. */
function watch(page: Page): { scripts: string[]; sockets: string[] } {
  const seen = { scripts: [] as string[], sockets: [] as string[] };
  page.on('request', (request) => {
    if (request.resourceType() === 'script') seen.scripts.push(new URL(request.url()).pathname);
  });
  page.on('websocket', (socket) => seen.sockets.push(socket.url()));
  return seen;
}

describe('the Join screen and the chat load apart', () => {
  const server = useServer();
  afterAll(closeAll);

  it('shows a first visit the Join screen without loading the chat, then loads it on joining', async () => {
    const browser = await launchBrowser();
    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    const seen = watch(page);
    await page.coverage.startJSCoverage({ resetOnNavigation: false });
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Name' }).waitFor();
    // Long enough for anything the page would fetch after showing Join (a passkey autofill asks the server, not for scripts).
    await page.waitForTimeout(1000);
    const ran = await page.coverage.stopJSCoverage();
    expect(seen.scripts.length).toBeGreaterThan(0);
    expect(seen.scripts.filter((path) => CHAT_CHUNK.test(path))).toEqual([]);
    // No Socket.IO client among the scripts that ran (engine.io-client names its protocol version EIO in every URL it builds).
    expect(ran.filter((script) => script.source?.includes('EIO=')).map((script) => script.url)).toEqual([]);
    expect(seen.sockets).toEqual([]);
    expect(await page.evaluate((key) => localStorage.getItem(key), SIGNED_IN_HINT_KEY)).toBeNull();

    await page.getByRole('textbox', { name: 'Name' }).fill('Newcomer');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
    await waitForOnline(page);
    expect(seen.scripts.some((path) => CHAT_CHUNK.test(path))).toBe(true);
    expect(seen.sockets).toHaveLength(1);
    expect(await page.evaluate((key) => localStorage.getItem(key), SIGNED_IN_HINT_KEY)).toBe('1');
  });

  it('starts a returning device on the chat, and shows the right screen whatever the hint says', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Name' }).fill('Returning');
    await page.getByRole('button', { name: 'Join' }).click();
    await waitForOnline(page);

    // The hint lost (storage cleared by hand): the session in IndexedDB still opens the chat, and the hint comes back.
    await page.evaluate((key) => localStorage.removeItem(key), SIGNED_IN_HINT_KEY);
    await page.reload();
    await waitForOnline(page);
    expect(await page.evaluate((key) => localStorage.getItem(key), SIGNED_IN_HINT_KEY)).toBe('1');

    // With the hint, the chat's chunk is asked for before the page has read who is signed in.
    const seen = watch(page);
    await page.reload();
    await waitForOnline(page);
    expect(seen.scripts.some((path) => CHAT_CHUNK.test(path))).toBe(true);

    // A hint without a session (IndexedDB cleared, localStorage kept): Join, and the hint is dropped.
    const other = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    await other.addInitScript((key) => {
      if (!sessionStorage.getItem('hinted')) {
        sessionStorage.setItem('hinted', '1');
        localStorage.setItem(key, '1');
      }
    }, SIGNED_IN_HINT_KEY);
    await other.goto('/');
    await other.getByRole('textbox', { name: 'Name' }).waitFor();
    await expect.poll(() => other.evaluate((key) => localStorage.getItem(key), SIGNED_IN_HINT_KEY)).toBeNull();
    expect(await other.getByRole('textbox', { name: 'Message', exact: true }).count()).toBe(0);
  });
});
