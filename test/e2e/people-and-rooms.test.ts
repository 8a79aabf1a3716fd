import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe';
import { join, launchBrowser, messageWith, phoneContext, screenshot, send, timeline, waitForOnline } from './support/browser';
import { useServer } from './support/server-fixture';

const roomsNav = (page: Page) => page.getByRole('navigation', { name: 'Rooms' });
const roomEntry = (page: Page, name: string) => roomsNav(page).getByRole('button', { name });
const typingLine = (page: Page) => page.locator('.typing-indicator');

async function openPeople(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^People/ }).click();
  await page.getByRole('dialog', { name: 'People online' }).waitFor();
}

describe('people and rooms in the PWA', () => {
  const server = useServer();

  it('shows who types, opens a DM from the online list that reaches the other phone with a badge, and reading clears it', async () => {
    const browser = await launchBrowser();
    const annContext = await phoneContext(browser, { baseURL: server().url });
    const bobContext = await phoneContext(browser, { baseURL: server().url, colorScheme: 'dark' });
    const ann = await annContext.newPage();
    const bob = await bobContext.newPage();
    await join(ann, 'Ann');
    await join(bob, 'Bob');
    await send(bob, 'morning all');

    // Typing in general shows under Bob's timeline, and goes once Ann empties the box.
    const annBox = ann.getByRole('textbox', { name: 'Message', exact: true });
    await annBox.pressSequentially('hello th');
    await expect.poll(() => typingLine(bob).textContent()).toBe('Ann is typing…');
    await screenshot(bob, 'people-dark-typing');
    await annBox.fill('');
    await expect.poll(() => typingLine(bob).textContent()).toBe('');

    // Ann opens the online list and starts a private conversation with Bob.
    await openPeople(ann);
    await ann.getByRole('button', { name: 'Bob' }).waitFor();
    await screenshot(ann, 'people-light-online-list');
    expect(await axeViolations(ann)).toEqual([]);
    // Bob also has a second tab open: its badge must clear when he reads in the first.
    const bobTab = await bobContext.newPage();
    await bobTab.goto('/');
    await waitForOnline(bobTab);
    await ann.getByRole('button', { name: 'Bob' }).click();
    await expect.poll(() => ann.getByRole('heading', { level: 1 }).textContent()).toBe('@ Bob');
    await send(ann, 'psst, Bob');

    // Bob is still in general: the DM appears in his rooms list, named after Ann, with a badge.
    await expect.poll(() => roomEntry(bob, 'Ann').textContent(), { timeout: 10_000 }).toContain('1 unread');
    await expect.poll(() => roomEntry(bobTab, 'Ann').textContent(), { timeout: 10_000 }).toContain('1 unread');
    expect(await bob.title()).toBe('(1) Offline Chat');
    expect(await timeline(bob).count()).toBe(1);
    await screenshot(bob, 'people-dark-rooms');
    await screenshot(ann, 'people-light-dm');

    await roomEntry(bob, 'Ann').click();
    await messageWith(bob, 'psst, Bob').waitFor();
    await expect.poll(() => roomEntry(bob, 'Ann').textContent()).not.toContain('unread');
    await expect.poll(() => roomEntry(bobTab, 'Ann').textContent()).not.toContain('unread');
    await bobTab.close();
    await screenshot(bob, 'people-dark-dm');
    expect(await axeViolations(bob)).toEqual([]);

    // Bob replies; Ann reads it in the DM on screen, so her badge never stays.
    await bob.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('hi');
    await expect.poll(() => typingLine(ann).textContent()).toBe('Bob is typing…');
    await screenshot(ann, 'people-light-typing');
    await send(bob, 'hi Ann');
    await expect.poll(() => typingLine(ann).textContent()).toBe('');
    await messageWith(ann, 'hi Ann').waitFor();
    await expect.poll(() => roomEntry(ann, 'Bob').textContent()).not.toContain('unread');

    // Offline: the rooms list (with the DM) is still there after a reload, and presence says it is unknown.
    await bobContext.setOffline(true);
    await bob.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await bob.reload();
    await bob.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await roomEntry(bob, 'Ann').waitFor();
    // The room on screen before the reload is the one that reopens.
    expect(await bob.getByRole('heading', { level: 1 }).textContent()).toBe('@ Ann');
    await roomEntry(bob, 'general').click();
    await messageWith(bob, 'morning all').waitFor();
    await roomEntry(bob, 'Ann').click();
    await messageWith(bob, 'psst, Bob').waitFor();
    await openPeople(bob);
    await bob.getByText('Offline — presence unknown').waitFor();
    expect(await bob.getByRole('dialog').getByRole('button').allTextContents()).toEqual(['Close']);
    await screenshot(bob, 'people-dark-offline-presence');
    await bob.getByRole('button', { name: 'Close' }).click();
    await bobContext.setOffline(false);
    await waitForOnline(bob);
    await openPeople(bob);
    await bob.getByRole('dialog').getByRole('button', { name: 'Ann' }).waitFor();
    await screenshot(bob, 'people-dark-online-list');
    await bob.setViewportSize({ width: 1280, height: 800 });
    await screenshot(bob, 'people-dark-desktop-online-list');
  });

  it('joins a room by name with a notice for those inside, leaves it, and renames', async () => {
    const browser = await launchBrowser();
    const annContext = await phoneContext(browser, { baseURL: server().url });
    const bobContext = await phoneContext(browser, { baseURL: server().url });
    const ann = await annContext.newPage();
    const bob = await bobContext.newPage();
    await join(ann, 'Cleo');
    await join(bob, 'Dan');

    async function joinRoom(page: Page, name: string): Promise<void> {
      await roomsNav(page).getByRole('button', { name: 'Add room' }).click();
      await page.getByRole('textbox', { name: 'Room' }).fill(name);
      await page.getByRole('button', { name: 'Join room' }).click();
    }

    await joinRoom(ann, 'no_underscores');
    await ann.getByRole('alert').filter({ hasText: 'Use only letters a–z, digits and hyphens' }).waitFor();
    await screenshot(ann, 'people-light-join-room-error');
    expect(await axeViolations(ann)).toEqual([]);
    await ann.getByRole('textbox', { name: 'Room' }).fill('Book Club');
    await ann.getByRole('button', { name: 'Join room' }).click();
    await expect.poll(() => ann.getByRole('heading', { level: 1 }).textContent()).toBe('# book-club');
    await send(ann, 'welcome to the club');

    await joinRoom(bob, 'book-club');
    await messageWith(bob, 'welcome to the club').waitFor();
    const notice = ann.getByRole('note').filter({ hasText: 'Dan joined' });
    await notice.waitFor();
    // Notices are not messages: the list still counts one item.
    expect(await timeline(ann).count()).toBe(1);
    // Once Dan speaks, the notice sits before his message (inside its item), still not an item itself.
    await send(bob, 'thanks, Cleo');
    await messageWith(ann, 'thanks, Cleo').waitFor();
    expect(await timeline(ann).count()).toBe(2);
    expect(await ann.getByRole('note').allTextContents()).toEqual(['Dan joined']);
    await ann.setViewportSize({ width: 360, height: 740 });
    await screenshot(ann, 'people-light-notice-360');
    expect(await axeViolations(ann)).toEqual([]);

    await bob.getByRole('button', { name: 'Room settings' }).click();
    await bob.getByRole('dialog', { name: 'Settings for #book-club' }).getByRole('button', { name: 'Leave book-club' }).click();
    await expect.poll(() => bob.getByRole('heading', { level: 1 }).textContent()).toBe('# general');
    await expect.poll(() => roomEntry(bob, 'book-club').count()).toBe(0);
    await ann.getByRole('note').filter({ hasText: 'Dan left' }).waitFor();

    // Dan has a DM with Cleo: it must follow her rename.
    await openPeople(bob);
    await bob.getByRole('dialog').getByRole('button', { name: 'Cleo' }).click();
    await expect.poll(() => bob.getByRole('heading', { level: 1 }).textContent()).toBe('@ Cleo');

    await ann.getByRole('button', { name: /Your profile/ }).click();
    await ann.getByRole('textbox', { name: 'Display name' }).fill('Cleopatra');
    await screenshot(ann, 'people-light-profile');
    await ann.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => ann.getByRole('button', { name: /Your profile/ }).textContent()).toContain('Cleopatra');
    await expect.poll(() => bob.getByRole('heading', { level: 1 }).textContent()).toBe('@ Cleopatra');
    await roomEntry(bob, 'Cleopatra').waitFor();
    await openPeople(bob);
    await bob.getByRole('dialog').getByRole('button', { name: 'Cleopatra' }).waitFor();
    // The new name survives a reload (the session in IndexedDB was updated).
    await ann.reload();
    await waitForOnline(ann);
    expect(await ann.getByRole('button', { name: /Your profile/ }).textContent()).toContain('Cleopatra');
  });

  it('upgrades a v1 device database in place: the session and a queued message survive, and the later stores are added', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const page = await context.newPage();
    // A same-origin page that is not the app, to write the database exactly as v1 of the PWA did.
    await page.goto('/healthz');
    await page.evaluate(async () => {
      const response = await fetch('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Vera' }),
      });
      const session = (await response.json()) as { token: string; user: { id: string; name: string } };
      const database = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('offline-chat', 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore('session');
          db.createObjectStore('messages', { keyPath: 'key' }).createIndex('by-room', 'room');
          db.createObjectStore('cursors', { keyPath: 'room' });
          db.createObjectStore('outbox', { keyPath: 'clientOffset' }).createIndex('by-order', 'order');
          db.createObjectStore('drafts', { keyPath: 'room' });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = database.transaction(['session', 'messages', 'outbox'], 'readwrite');
      const now = Date.now();
      tx.objectStore('session').put(session, 'current');
      tx.objectStore('outbox').put({
        clientOffset: 'v1-queued',
        room: 'general',
        content: 'queued before the upgrade',
        order: now,
        createdAt: now,
      });
      tx.objectStore('messages').put({
        key: `${session.user.id}/v1-queued`,
        room: 'general',
        clientOffset: 'v1-queued',
        author: session.user,
        content: 'queued before the upgrade',
        state: 'pending',
        ts: now,
        order: now,
      });
      await new Promise((resolve) => (tx.oncomplete = resolve));
      database.close();
    });

    await page.goto('/');
    await waitForOnline(page);
    expect(await page.getByRole('button', { name: /Your profile/ }).textContent()).toContain('Vera');
    await expect.poll(() => messageWith(page, 'queued before the upgrade').getAttribute('data-state'), { timeout: 10_000 }).toBe('sent');
    await roomEntry(page, 'general').waitFor();
    const stores = await page.evaluate(async () => {
      const database = await new Promise<IDBDatabase>((resolve) => {
        const request = indexedDB.open('offline-chat');
        request.onsuccess = () => resolve(request.result);
      });
      const names = { version: database.version, stores: [...database.objectStoreNames] };
      database.close();
      return names;
    });
    expect(stores).toEqual({
      version: 5,
      stores: ['blobs', 'cursors', 'drafts', 'messages', 'outbox', 'revocations', 'revs', 'rooms', 'session', 'ui'],
    });
  });
});
