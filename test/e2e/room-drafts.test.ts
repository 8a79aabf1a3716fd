/**
 * Each room keeps its own draft, and what the person types right after switching rooms is theirs:
 * the new room's stored draft, read from IndexedDB, must not land on top of it however late it comes.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { join, launchBrowser, phoneContext } from './support/browser';
import { storedRecords } from './support/device';
import { useServer } from './support/server-fixture';

const box = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const roomButton = (page: Page, name: RegExp) => page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name });

/**
 * Keeps a read-write transaction on the drafts store busy for `ms` from a second connection of the
 * page, so the app's draft reads wait behind it (a phone's IndexedDB under load); resolves when it ends.
 */
function holdDrafts(page: Page, ms: number): Promise<void> {
  return page.evaluate(async (holdMs) => {
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('offline-chat');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const tx = database.transaction('drafts', 'readwrite');
      const store = tx.objectStore('drafts');
      // A transaction stays open while it has requests: one more read each time one finishes.
      const again = (): void => {
        if (Date.now() - started < holdMs) store.get('a room nobody has').onsuccess = again;
      };
      again();
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    database.close();
  }, ms);
}

describe('drafts per room in the PWA', () => {
  const server = useServer();

  it('shows each room its own draft at once, and keeps what is typed before a slow draft read ends', async () => {
    const browser = await launchBrowser();
    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    await join(page, 'Nadia');
    await page.getByRole('button', { name: 'Add room' }).click();
    await page.getByRole('textbox', { name: 'Room', exact: true }).fill('notes');
    await page.getByRole('button', { name: 'Join room' }).click();
    await expect.poll(() => heading(page)).toBe('# notes');
    await box(page).fill('half a thought');
    await expect
      .poll(() => storedRecords<{ room: string; text: string }>(page, 'drafts'))
      .toEqual([expect.objectContaining({ room: 'notes', text: 'half a thought' })]);

    // Back in general, the box is general's (empty), not the text left in notes, and notes' draft stays stored.
    await roomButton(page, /general/).click();
    await expect.poll(() => heading(page)).toBe('# general');
    expect(await box(page).inputValue()).toBe('');
    await roomButton(page, /notes/).click();
    await expect.poll(() => box(page).inputValue()).toBe('half a thought');

    // The draft reads of the next switches wait on a busy store; the person types before they end.
    await roomButton(page, /general/).click();
    await expect.poll(() => heading(page)).toBe('# general');
    const held = holdDrafts(page, 1_500);
    await roomButton(page, /notes/).click();
    await expect.poll(() => heading(page)).toBe('# notes');
    await box(page).fill('typed at once');
    await held;
    // The late read of notes' old draft must not replace it, nor the text go out as notes' draft.
    await expect
      .poll(() => storedRecords<{ room: string; text: string }>(page, 'drafts'))
      .toEqual([expect.objectContaining({ room: 'notes', text: 'typed at once' })]);
    expect(await box(page).inputValue()).toBe('typed at once');
  });
});
