import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createSession, createSocket, connectAndWait } from '../support/clients';
import { axeViolations } from './support/axe';
import { join, launchBrowser, phoneContext, waitForOnline } from './support/browser';
import { storedRecords } from './support/device';
import { screenshotLightAndDark } from './support/screens';
import { useServer } from './support/server-fixture';

const TOTAL = 300;
const WINDOW = 50;

/** Message n's text; two carry words to search for: one the device will hold, one only the server has. */
function text(n: number): string {
  if (n === 120) return `Message 120 about kiwi orchards in spring`;
  if (n === 10) return `Message 10 about pineapple harbours`;
  return `Message ${n}`;
}

/** The text of the first message on screen. */
async function firstShown(page: Page): Promise<string> {
  return (await page.locator('[data-seq] .content').first().textContent()) ?? '';
}

/** Whether the message with this seq is inside the scroller's visible area. */
function inView(page: Page, seq: number): Promise<boolean> {
  return page.evaluate((wanted) => {
    const scroller = document.querySelector('.scroller');
    const item = document.querySelector(`[data-seq="${wanted}"]`);
    if (!scroller || !item) return false;
    const box = scroller.getBoundingClientRect();
    const place = item.getBoundingClientRect();
    return place.bottom > box.top && place.top < box.bottom;
  }, seq);
}

async function scrollToTop(page: Page): Promise<void> {
  await page.locator('.scroller').evaluate((element) => {
    element.scrollTop = 0;
  });
}

describe('bounded history: a window on first sync, load older, and search on and off line', () => {
  const server = useServer({ env: { CHAT_HISTORY_WINDOW: String(WINDOW) } });

  it('scrolls up through three older pages, reads and searches offline, and jumps to results', async () => {
    // Seeded over a real socket by another person before the phone joins.
    const seeder = await createSession(server().url, 'Seeder');
    const socket = createSocket(server().url, seeder.token);
    await connectAndWait(socket);
    for (let n = 1; n <= TOTAL; n++) {
      const answer = await socket.emitWithAck('message:send', { room: 'general', clientOffset: `seed-${n}`, content: text(n) });
      expect(answer.ok).toBe(true);
    }
    socket.disconnect();

    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const page = await context.newPage();
    await join(page, 'Reader');

    // The first sync brought only the newest window, and the list starts at its first message.
    await expect.poll(() => firstShown(page)).toBe(`Message ${TOTAL - WINDOW + 1}`);
    expect(await page.locator('[data-seq]').count()).toBe(WINDOW);

    // The first page waits for a photograph of its spinner; the next two come straight from the server.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let delayed = 0;
    await page.route(/\/api\/rooms\/general\/messages\?/, async (route) => {
      if (delayed++ === 0) await held;
      await route.continue();
    });
    for (let pageNumber = 1; pageNumber <= 3; pageNumber++) {
      const top = TOTAL - WINDOW * pageNumber + 1;
      await scrollToTop(page);
      if (pageNumber === 1) {
        await page.getByText('Loading older messages…').waitFor();
        await screenshotLightAndDark(page, 'history-loading-older');
        release();
      }
      await expect.poll(() => firstShown(page)).toBe(`Message ${top - WINDOW}`);
      // The reader's place is kept: the message that was at the top is still on screen.
      expect(await inView(page, top)).toBe(true);
    }
    await page.unroute(/\/api\/rooms\/general\/messages\?/);
    expect(delayed).toBe(3);
    const stored = await storedRecords<{ room: string; seq?: number }>(page, 'messages');
    expect(stored.filter((message) => message.room === 'general')).toHaveLength(WINDOW * 4);

    // Offline, after a relaunch: what the device holds reads, and older pages say they need a connection.
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await expect.poll(() => firstShown(page)).toBe(`Message ${TOTAL - WINDOW * 4 + 1}`);
    await scrollToTop(page);
    await page.getByText('Older messages need a connection.').waitFor();

    // Offline search answers from the device, says so, and opens the room at the result.
    await page.getByRole('button', { name: 'Search' }).click();
    const dialog = page.getByRole('dialog', { name: 'Search' });
    await dialog.getByRole('searchbox', { name: 'Search messages' }).fill('kiwi');
    const kiwi = dialog.getByRole('button', { name: /Message 120 about kiwi orchards/ });
    await kiwi.waitFor();
    expect(await kiwi.locator('mark').allTextContents()).toEqual(['kiwi']);
    await dialog.getByText('Offline: showing messages stored on this device only.').waitFor();
    await screenshotLightAndDark(page, 'history-search-offline');
    await dialog.getByRole('searchbox', { name: 'Search messages' }).fill('pineapple');
    await dialog.getByText('No messages stored on this device match “pineapple”. Older messages need a connection to search.').waitFor();
    await screenshotLightAndDark(page, 'history-search-offline-none');
    // A word in all 200 stored messages: the first 20 are drawn, the next 20 on request.
    await dialog.getByRole('searchbox', { name: 'Search messages' }).fill('message');
    const deviceResults = dialog.getByRole('region', { name: 'On this device' }).locator('.search-result');
    await expect.poll(() => deviceResults.count()).toBe(20);
    await dialog.getByRole('button', { name: 'More on this device' }).click();
    await expect.poll(() => deviceResults.count()).toBe(40);
    await dialog.getByRole('searchbox', { name: 'Search messages' }).fill('kiwi');
    await kiwi.click();
    await expect.poll(() => page.locator('[aria-current="true"] .content').textContent()).toBe(text(120));
    await expect.poll(() => inView(page, 120)).toBe(true);

    // Online again: the server finds what the device never held, and the jump fetches its context.
    await context.setOffline(false);
    await waitForOnline(page);
    await page.getByText('Older messages need a connection.').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Search' }).click();
    await dialog.getByRole('searchbox', { name: 'Search messages' }).fill('pineapple');
    const fromServer = dialog.getByRole('region', { name: 'More results from the server' });
    const pineapple = fromServer.getByRole('button', { name: /Message 10 about pineapple harbours/ });
    await pineapple.waitFor();
    expect(await pineapple.locator('mark').allTextContents()).toEqual(['pineapple']);
    // Both kinds at once: kiwi is on the device, pineapple only on the server.
    await dialog.getByRole('searchbox', { name: 'Search messages' }).fill('about');
    await dialog.getByRole('region', { name: 'On this device' }).getByRole('button', { name: /kiwi/ }).waitFor();
    await fromServer.getByRole('button', { name: /pineapple/ }).waitFor();
    await screenshotLightAndDark(page, 'history-search-results');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('searchbox', { name: 'Search messages' }).fill('pineapple');
    await pineapple.click();
    await expect.poll(() => page.locator('[aria-current="true"] .content').textContent()).toBe(text(10));
    await expect.poll(() => inView(page, 10)).toBe(true);
    // Its context came with it (seqs 1..50), and the hole up to what the device held before says so and fills.
    expect(await page.locator('[data-seq="9"]').count()).toBe(1);
    const hole = page.getByRole('note').filter({ hasText: '50 messages are not on this device.' });
    await hole.scrollIntoViewIfNeeded();
    await screenshotLightAndDark(page, 'history-missing-messages');
    expect(await axeViolations(page)).toEqual([]);
    await hole.getByRole('button', { name: 'Load them' }).click();
    await hole.waitFor({ state: 'detached' });
    expect(await page.locator('[data-seq]').count()).toBe(TOTAL);

    // The profile says how much the device stores.
    await page.getByRole('button', { name: /Your profile/ }).click();
    const storage = page.getByRole('region', { name: 'Storage on this device' });
    await expect
      .poll(() => storage.textContent())
      .toMatch(/\d(\.\d)? (bytes|KB|MB|GB)( of [\d.]+ (KB|MB|GB|TB))? used\. The newest 1,000 messages of each room are kept/);
    await screenshotLightAndDark(page, 'history-profile-storage');
    // A long walk through one device's life: seeding, paging, relaunching offline, searching; time for a busy machine.
  }, 180_000);

  it('counts only the window in the catch-up banner, and joins a long room with its newest window', async () => {
    // General already holds more than a window (seeded here too, so this test stands alone), and a room the phone will join holds 300.
    const seeder = await createSession(server().url, 'Archivist');
    const socket = createSocket(server().url, seeder.token);
    await connectAndWait(socket);
    expect(await socket.emitWithAck('room:join', { room: 'archive' })).toMatchObject({ ok: true });
    for (let n = 1; n <= WINDOW + 10; n++)
      expect(
        await socket.emitWithAck('message:send', { room: 'general', clientOffset: `general-${n}`, content: `General ${n}` }),
      ).toMatchObject({ ok: true });
    for (let n = 1; n <= TOTAL; n++)
      expect(
        await socket.emitWithAck('message:send', { room: 'archive', clientOffset: `archive-${n}`, content: `Archive ${n}` }),
      ).toMatchObject({ ok: true });
    socket.disconnect();

    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const page = await context.newPage();
    // The server's sync:done is held until the banner has counted the catch-up, so its count is seen, not raced.
    let releaseDone: () => void = () => undefined;
    const doneHeld = new Promise<void>((resolve) => (releaseDone = resolve));
    await page.routeWebSocket(/\/socket\.io\//, (client) => {
      const upstream = client.connectToServer();
      upstream.onMessage((frame) => {
        if (typeof frame === 'string' && frame.includes('"sync:done"')) void doneHeld.then(() => client.send(frame));
        else client.send(frame);
      });
    });
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Name' }).fill('Joiner');
    await page.getByRole('button', { name: 'Join' }).click();
    // A new device gets general's newest 50, not all of it: the banner counts 50 of 50, never "of <general's last seq>".
    await page
      .getByRole('status')
      .filter({ hasText: `Catching up… ${WINDOW} of ${WINDOW}` })
      .waitFor();
    releaseDone();
    await waitForOnline(page);

    // Joining a room with a long history brings its newest window, like a first sync; older pages load on scroll.
    await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'Add room' }).click();
    await page.getByRole('textbox', { name: 'Room' }).fill('archive');
    await page.getByRole('button', { name: 'Join room' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('# archive');
    await expect.poll(() => page.locator('[data-seq] .content').last().textContent()).toBe(`Archive ${TOTAL}`);
    await expect.poll(() => firstShown(page)).toBe(`Archive ${TOTAL - WINDOW + 1}`);
    const archive = () =>
      storedRecords<{ room: string; seq?: number }>(page, 'messages').then((all) => all.filter((m) => m.room === 'archive'));
    await expect.poll(async () => (await archive()).length).toBe(WINDOW);
    await scrollToTop(page);
    await expect.poll(() => firstShown(page)).toBe(`Archive ${TOTAL - 2 * WINDOW + 1}`);
    expect((await archive()).length).toBe(WINDOW * 2);
  }, 120_000);
});
