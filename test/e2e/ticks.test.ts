import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { join, launchBrowser, phoneContext, send, waitForOnline } from './support/browser';
import { choose, menu, messageWith, openMenu, tick } from './support/message-actions';
import { screenshotLightAndDark } from './support/screens';
import { useServer } from './support/server-fixture';

const roomEntry = (page: Page, name: string | RegExp) => page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name });

describe('ticks on our messages, from cursors', () => {
  const server = useServer();

  it('move clock → ✓ → ✓✓ → read in a DM between two phones, and a larger room says who received and read on demand', async () => {
    const browser = await launchBrowser();
    const annContext = await phoneContext(browser, { baseURL: server().url });
    const bobContext = await phoneContext(browser, { baseURL: server().url, colorScheme: 'dark' });
    const ann = await annContext.newPage();
    const bob = await bobContext.newPage();
    await join(ann, 'Ann');
    await join(bob, 'Bob');

    // In general (more than two people could be here): details on demand from the menu.
    await send(ann, 'hello room');
    await messageWith(bob, 'hello room').waitFor();
    await expect.poll(() => tick(ann, 'hello room')).toBe('sent');
    await openMenu(ann, 'hello room');
    await choose(ann, 'Delivered and read…');
    await expect.poll(() => menu(ann).getByRole('status').textContent(), { timeout: 20_000 }).toBe('Delivered to 1 of 1 · Read by 1');
    await ann.keyboard.press('Escape');
    await menu(ann).waitFor({ state: 'detached' });

    // A DM: Bob stays in general, so he receives without reading.
    await ann.getByRole('button', { name: /^People/ }).click();
    await ann.getByRole('dialog', { name: 'People online' }).getByRole('button', { name: 'Bob' }).click();
    await expect.poll(() => ann.getByRole('heading', { level: 1 }).textContent()).toBe('@ Bob');
    await bobContext.setOffline(true);

    await annContext.setOffline(true);
    await ann.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await send(ann, 'tick tock');
    expect(await tick(ann, 'tick tock')).toBe('clock');
    await screenshotLightAndDark(ann, 'ticks-1-clock');

    await annContext.setOffline(false);
    await waitForOnline(ann);
    await expect.poll(() => tick(ann, 'tick tock'), { timeout: 20_000 }).toBe('sent');
    await screenshotLightAndDark(ann, 'ticks-2-sent');

    await bobContext.setOffline(false);
    await waitForOnline(bob);
    await expect.poll(() => tick(ann, 'tick tock'), { timeout: 20_000 }).toBe('delivered');
    await screenshotLightAndDark(ann, 'ticks-3-delivered');

    await roomEntry(bob, 'Ann').click();
    await messageWith(bob, 'tick tock').waitFor();
    await expect.poll(() => tick(ann, 'tick tock'), { timeout: 20_000 }).toBe('read');
    await screenshotLightAndDark(ann, 'ticks-4-read');
    expect(await messageWith(ann, 'tick tock').getByRole('img', { name: 'Read' }).count()).toBe(1);

    // Bob stops sharing read receipts: his next read moves no tick, but delivery still does.
    await bob.getByRole('button', { name: 'Bob' }).click();
    await bob.getByRole('checkbox', { name: 'Send read receipts' }).uncheck();
    await expect.poll(() => bob.getByRole('checkbox', { name: 'Send read receipts' }).isChecked()).toBe(false);
    await bob.keyboard.press('Escape');
    await roomEntry(bob, /general/).click();
    await send(ann, 'read me quietly');
    await expect.poll(() => tick(ann, 'read me quietly'), { timeout: 20_000 }).toBe('delivered');
    await roomEntry(bob, 'Ann').click();
    await messageWith(bob, 'read me quietly').waitFor();
    // The server tells Ann what it tells her listing: read stays hidden (0), so the tick is ✓✓ and not read.
    const listing = await ann.evaluate(async () => {
      const database = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('offline-chat');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const session = await new Promise<{ token: string }>((resolve) => {
        const request = database.transaction('session').objectStore('session').get('current');
        request.onsuccess = () => resolve(request.result as { token: string });
      });
      database.close();
      const response = await fetch('/api/rooms', { headers: { authorization: `Bearer ${session.token}` } });
      return ((await response.json()) as { rooms: Array<{ kind: string; peerReceipt?: { readSeq: number; deliveredSeq: number } }> }).rooms;
    });
    const dm = listing.find((room) => room.kind === 'dm');
    expect(dm?.peerReceipt?.readSeq).toBe(0);
    expect(await tick(ann, 'read me quietly')).toBe('delivered');
  });
});
