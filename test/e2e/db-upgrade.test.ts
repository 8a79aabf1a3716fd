import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { join, launchBrowser, messageWith, phoneContext, waitForOnline } from './support/browser';
import { generalHistory, storedCounts, storedRecords } from './support/device';
import { useServer } from './support/server-fixture';

type Seed = { session?: { token: string; user: { id: string; name: string } }; queued: string; draft: string };

/** Runs in a same-origin page that is not the app: writes the database exactly as v2 of the PWA left it. */
async function writeV2Database(seed: Seed): Promise<void> {
  const database = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('offline-chat', 2);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('session');
      db.createObjectStore('messages', { keyPath: 'key' }).createIndex('by-room', 'room');
      db.createObjectStore('cursors', { keyPath: 'room' });
      db.createObjectStore('outbox', { keyPath: 'clientOffset' }).createIndex('by-order', 'order');
      db.createObjectStore('drafts', { keyPath: 'room' });
      db.createObjectStore('rooms', { keyPath: 'id' });
      db.createObjectStore('ui');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = database.transaction(['session', 'outbox', 'drafts', 'rooms', 'ui'], 'readwrite');
  const now = Date.now();
  if (seed.session) tx.objectStore('session').put(seed.session, 'current');
  // v2 entries name no author.
  tx.objectStore('outbox').put({ clientOffset: 'v2-queued', room: 'general', content: seed.queued, order: now, createdAt: now });
  tx.objectStore('drafts').put({ room: 'general', text: seed.draft });
  tx.objectStore('rooms').put({ id: 'general', kind: 'public', lastSeq: 0, readSeq: 0 });
  tx.objectStore('ui').put('general', 'current-room');
  await new Promise((resolve) => (tx.oncomplete = resolve));
  database.close();
}

async function newSession(page: Page, name: string): Promise<{ token: string; user: { id: string; name: string } }> {
  return page.evaluate(async (body) => {
    const response = await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return (await response.json()) as { token: string; user: { id: string; name: string } };
  }, JSON.stringify({ name }));
}

describe('a device database written by v2 of the app', () => {
  const server = useServer();

  it('gives its queued message and draft to the signed-in user: the message is sent as them, the draft restored', async () => {
    const browser = await launchBrowser();
    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    await page.goto('/healthz');
    const session = await newSession(page, 'Vera');
    await page.evaluate(writeV2Database, { session, queued: 'queued under v2', draft: 'a v2 draft' });

    await page.goto('/');
    await waitForOnline(page);
    await expect.poll(() => messageWith(page, 'queued under v2').getAttribute('data-state'), { timeout: 10_000 }).toBe('sent');
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('a v2 draft');
    const sent = (await generalHistory(server().url)).find((message) => message.content === 'queued under v2');
    expect(sent?.author).toEqual(session.user);
    expect(await storedRecords(page, 'drafts')).toEqual([{ room: 'general', authorId: session.user.id, text: 'a v2 draft' }]);
    expect(await storedCounts(page)).toMatchObject({ version: 3, counts: { revocations: 0, outbox: 0 } });
  });

  it('keeps the queue of a session that had ended under v2 inert: never sent, shown with Delete; its draft goes', async () => {
    const browser = await launchBrowser();
    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    await page.goto('/healthz');
    // v2 cleared the session when it expired, and kept the outbox for whoever joined next.
    await page.evaluate(writeV2Database, { queued: 'queued before an expiry', draft: 'an orphan draft' });

    await page.goto('/');
    await page.getByRole('list', { name: 'Not sent — signed out' }).getByText('queued before an expiry').waitFor();
    expect(await storedRecords(page, 'outbox')).toMatchObject([{ clientOffset: 'v2-queued', authorId: '' }]);
    expect((await storedCounts(page)).counts.drafts).toBe(0);

    await join(page, 'Walt');
    await page.getByText('1 message not sent — signed out').waitFor();
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('');
    await page.waitForTimeout(1_500);
    expect((await generalHistory(server().url)).map((message) => message.content)).not.toContain('queued before an expiry');
  });
});
