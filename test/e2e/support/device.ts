/**
 * What the app keeps on the device, read from inside the page (IndexedDB `offline-chat`), and the
 * server's view of a token: for tests that check what a sign-out or an ended session leaves behind.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { Message, User } from '../../../shared/protocol';
import { createSession } from '../../support/clients';

export type StoredDevice = { version: number; counts: Record<string, number> };

/** The database's version and how many records each of its object stores holds. */
export function storedCounts(page: Page): Promise<StoredDevice> {
  return page.evaluate(async () => {
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('offline-chat');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const counts: Record<string, number> = {};
    for (const name of Array.from(database.objectStoreNames)) {
      counts[name] = await new Promise<number>((resolve, reject) => {
        const request = database.transaction(name).objectStore(name).count();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    const version = database.version;
    database.close();
    return { version, counts };
  });
}

/** Every record of one object store, as stored. */
export function storedRecords<T>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(async (name) => {
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('offline-chat');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const records = await new Promise<T[]>((resolve, reject) => {
      const request = database.transaction(name).objectStore(name).getAll();
      request.onsuccess = () => resolve(request.result as T[]);
      request.onerror = () => reject(request.error);
    });
    database.close();
    return records;
  }, store);
}

/** The session the page holds (token and user). */
export async function storedSession(page: Page): Promise<{ token: string; user: User }> {
  const [session] = await storedRecords<{ token: string; user: User }>(page, 'session');
  if (!session) throw new Error('the page holds no session');
  return session;
}

/** The HTTP status the server gives this token (`GET /api/me`): 200 while it works, 401 once it does not. */
export async function tokenStatus(url: string, token: string): Promise<number> {
  return (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;
}

/** What `general` holds on the server, read by a new observer account. */
export async function generalHistory(url: string): Promise<Message[]> {
  const { token } = await createSession(url, 'Observer');
  const response = await fetch(`${url}/api/rooms/general/messages?after=0&limit=500`, { headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { messages: Message[] }).messages;
}

/**
 * Fault injection for a full disk: Chromium's quota override does not reach IndexedDB writes
 * reliably, so the browser's own QuotaExceededError is thrown from every `add` while the page has
 * `window.fullDisk` set.
 */
export async function failWritesWhenFull(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const add = IDBObjectStore.prototype.add;
    IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
      if ('fullDisk' in window) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return add.apply(this, args);
    };
  });
}
