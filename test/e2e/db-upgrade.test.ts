import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { contents, join, launchBrowser, messageWith, phoneContext, waitForOnline } from './support/browser';
import { connectAndCatchUp } from '../support/clients';
import type { Message } from '../../shared/protocol';
import { generalHistory, storedCounts, storedRecords } from './support/device';
import { useServer } from './support/server-fixture';
import { SIGNED_IN_HINT_KEY } from '../../client/io/signed-in-hint';

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

/** A phone's page at the app's origin that is not the app, to write its database before the app first runs. */
async function pageBesideTheApp(url: string): Promise<Page> {
  const page = await (await phoneContext(await launchBrowser(), { baseURL: url })).newPage();
  await page.goto('/healthz');
  return page;
}

describe('a device database written by v2 of the app', () => {
  const server = useServer();

  it('gives its queued message and draft to the signed-in user: the message is sent as them, the draft restored', async () => {
    const page = await pageBesideTheApp(server().url);
    const session = await newSession(page, 'Vera');
    await page.evaluate(writeV2Database, { session, queued: 'queued under v2', draft: 'a v2 draft' });

    await page.goto('/');
    await waitForOnline(page);
    await expect.poll(() => messageWith(page, 'queued under v2').getAttribute('data-state'), { timeout: 10_000 }).toBe('sent');
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('a v2 draft');
    const sent = (await generalHistory(server().url)).find((message) => message.content === 'queued under v2');
    expect(sent?.author).toEqual(session.user);
    expect(await storedRecords(page, 'drafts')).toEqual([{ room: 'general', authorId: session.user.id, text: 'a v2 draft' }]);
    expect(await storedCounts(page)).toMatchObject({ version: 5, counts: { revocations: 0, outbox: 0 } });
  });

  it('keeps the queue of a session that had ended under v2 inert: never sent, shown with Delete; its draft goes', async () => {
    const page = await pageBesideTheApp(server().url);
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

type V3Seed = { session: { token: string; user: { id: string; name: string } }; held: Message; queued: string };

/** Writes the database exactly as v3 of the PWA left it: a message it holds (as it was then), its cursor, a queued send (no kind). */
async function writeV3Database(seed: V3Seed): Promise<void> {
  const database = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('offline-chat', 3);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('session');
      db.createObjectStore('messages', { keyPath: 'key' }).createIndex('by-room', 'room');
      db.createObjectStore('cursors', { keyPath: 'room' });
      db.createObjectStore('outbox', { keyPath: 'clientOffset' }).createIndex('by-order', 'order');
      db.createObjectStore('drafts', { keyPath: 'room' });
      db.createObjectStore('rooms', { keyPath: 'id' });
      db.createObjectStore('ui');
      db.createObjectStore('revocations', { keyPath: 'token' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = database.transaction(['session', 'messages', 'cursors', 'outbox', 'rooms'], 'readwrite');
  const now = Date.now();
  const { held } = seed;
  tx.objectStore('session').put(seed.session, 'current');
  tx.objectStore('messages').put({
    key: `${held.author.id}/${held.clientOffset}`,
    room: held.room,
    clientOffset: held.clientOffset,
    author: held.author,
    content: held.content,
    state: 'sent',
    ts: held.ts,
    id: held.id,
    seq: held.seq,
  });
  tx.objectStore('cursors').put({ room: 'general', cursor: held.seq });
  tx.objectStore('outbox').put({
    clientOffset: 'v3-queued-send-000001',
    authorId: seed.session.user.id,
    room: 'general',
    content: seed.queued,
    order: now,
    createdAt: now,
  });
  tx.objectStore('rooms').put({ id: 'general', kind: 'public', lastSeq: held.seq, readSeq: held.seq });
  await new Promise((resolve) => (tx.oncomplete = resolve));
  database.close();
}

describe('a device database written by v3 of the app', () => {
  const server = useServer();

  it('sends its queued message as a send, and its first catch-up brings the edits and reactions its messages lack', async () => {
    const page = await pageBesideTheApp(server().url);
    const gus = await newSession(page, 'Gus');
    const other = await connectAndCatchUp(server().url, gus.token);
    const sent = await other.socket.emitWithAck('message:send', {
      room: 'general',
      clientOffset: 'gus-before-upgrade-01',
      content: 'as v3 saw it',
    });
    if (!sent.ok) throw new Error(sent.error.message);
    const session = await newSession(page, 'Vera');
    await page.evaluate(writeV3Database, { session, held: sent.message, queued: 'queued under v3' });
    // Changed on the server while the device ran v3 (which never heard of changes).
    const edited = await other.socket.emitWithAck('message:edit', {
      room: 'general',
      target: sent.message.id,
      clientOffset: 'gus-edit-after-upgrade',
      content: 'as it is now',
    });
    const reacted = await other.socket.emitWithAck('reaction:set', {
      room: 'general',
      target: sent.message.id,
      emoji: '🎉',
      on: true,
      clientOffset: 'gus-react-after-upgr',
    });
    expect(edited.ok && reacted.ok).toBe(true);

    await page.goto('/');
    await waitForOnline(page);
    await expect.poll(() => messageWith(page, 'queued under v3').getAttribute('data-state'), { timeout: 10_000 }).toBe('sent');
    await expect.poll(() => contents(page), { timeout: 10_000 }).toEqual(['as it is now', 'queued under v3']);
    expect(await messageWith(page, 'as it is now').getByRole('button', { name: '🎉 1' }).count()).toBe(1);
    expect(await storedCounts(page)).toMatchObject({ version: 5, counts: { outbox: 0 } });
    expect(await storedRecords(page, 'revs')).toEqual([{ room: 'general', rev: 2 }]);
    other.socket.disconnect();
  });
});

/** Runs in a same-origin page that is not the app: the database as v4 of the PWA left it (operations, revs; no blobs). */
async function writeV4Database(seed: {
  session: { token: string; user: { id: string; name: string } };
  queued: string;
  draft: string;
}): Promise<void> {
  const database = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('offline-chat', 4);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('session');
      db.createObjectStore('messages', { keyPath: 'key' }).createIndex('by-room', 'room');
      db.createObjectStore('cursors', { keyPath: 'room' });
      db.createObjectStore('outbox', { keyPath: 'clientOffset' }).createIndex('by-order', 'order');
      db.createObjectStore('drafts', { keyPath: 'room' });
      db.createObjectStore('rooms', { keyPath: 'id' });
      db.createObjectStore('ui');
      db.createObjectStore('revocations', { keyPath: 'token' });
      db.createObjectStore('revs', { keyPath: 'room' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = database.transaction(['session', 'messages', 'outbox', 'drafts', 'rooms', 'ui'], 'readwrite');
  const now = Date.now();
  const { user } = seed.session;
  tx.objectStore('session').put(seed.session, 'current');
  const entry = {
    kind: 'send',
    clientOffset: 'v4-queued-send-000001',
    authorId: user.id,
    room: 'general',
    content: seed.queued,
    order: now,
    createdAt: now,
  };
  tx.objectStore('outbox').put(entry);
  tx.objectStore('messages').put({
    key: `${user.id}/${entry.clientOffset}`,
    room: 'general',
    clientOffset: entry.clientOffset,
    author: user,
    content: seed.queued,
    state: 'pending',
    ts: now,
    order: now,
  });
  tx.objectStore('drafts').put({ room: 'general', authorId: user.id, text: seed.draft });
  tx.objectStore('rooms').put({ id: 'general', kind: 'public', lastSeq: 0, readSeq: 0 });
  tx.objectStore('ui').put('general', 'current-room');
  await new Promise((resolve) => (tx.oncomplete = resolve));
  database.close();
}

describe('a device database written by v4 of the app', () => {
  const server = useServer();

  it('keeps its session, queued message and draft, and gains the store for queued files', async () => {
    const page = await pageBesideTheApp(server().url);
    const session = await newSession(page, 'Ines');
    await page.evaluate(writeV4Database, { session, queued: 'queued under v4', draft: 'a v4 draft' });
    // Signed in last time: index.html opens the database before the app (io/early-db.ts), finds v4, and
    // the app upgrades on its own connection, as every upgrade from now on will.
    await page.evaluate((key) => localStorage.setItem(key, '1'), SIGNED_IN_HINT_KEY);

    await page.goto('/');
    await waitForOnline(page);
    await expect.poll(() => messageWith(page, 'queued under v4').getAttribute('data-state'), { timeout: 10_000 }).toBe('sent');
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('a v4 draft');
    expect((await generalHistory(server().url)).filter((message) => message.content === 'queued under v4')).toHaveLength(1);
    expect(await storedCounts(page)).toMatchObject({ version: 5, counts: { session: 1, outbox: 0, drafts: 1, blobs: 0 } });
  });
});

describe('a device that says it was signed in but has no database (site data cleared, localStorage kept)', () => {
  const server = useServer();

  it('shows Join, creates the database at its version, and sends', async () => {
    const page = await pageBesideTheApp(server().url);
    await page.evaluate((key) => localStorage.setItem(key, '1'), SIGNED_IN_HINT_KEY);

    await join(page, 'Nora');
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('after the early open found nothing');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => messageWith(page, 'after the early open found nothing').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('sent');
    expect(await storedCounts(page)).toMatchObject({ version: 5, counts: { session: 1, outbox: 0 } });
  });
});
