/**
 * The SQLite group commit when several processes share the file: a batch that
 * finds the write lock taken waits without blocking the event loop, and two
 * stores committing at once (two workers) never gap, repeat or lose a send.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { User } from '../../../shared/protocol';
import { openSqliteStore } from '../../../server/store/sqlite';
import type { Store } from '../../../server/store/store';
import { tempDir } from '../../support/server';

const dir = tempDir('chat-append-');
const opened: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const handle of opened.splice(0)) await handle.close();
});

let files = 0;
function openPair(): { path: string; store: Store } {
  const path = join(dir.path, `chat-${++files}.db`);
  const store = openSqliteStore(path, { synchronous: 'NORMAL' });
  opened.push(store);
  return { path, store };
}

async function newUser(store: Store, id: string): Promise<User> {
  const user = { id, name: id };
  await store.createUser(user, { id: `s-${id}`, tokenHash: `hash-${id}`, device: 'test' });
  return user;
}

/**
 * Runs `write` while another connection holds the file's write lock for 60 ms, then releases it.
 * Returns what `write` answered and the longest the event loop went without running a 1 ms
 * timer: SQLite's busy handler would hold the thread for the whole wait; a timer never does.
 */
async function whileLockedElsewhere<T>(path: string, write: () => Promise<T>): Promise<{ result: T; longestGap: number }> {
  const other = new Database(path);
  opened.push(other);
  other.exec('BEGIN IMMEDIATE');
  let lastTick = performance.now();
  let longestGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - lastTick);
    lastTick = now;
  }, 1);
  let settled = false;
  const written = write().finally(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 60));
  expect(settled).toBe(false);
  other.exec('COMMIT');
  const result = await written;
  clearInterval(ticker);
  return { result, longestGap };
}

describe('SQLite group commit across processes', () => {
  it('waits for a write lock held elsewhere while the event loop keeps running', async () => {
    const { path, store } = openPair();
    const author = await newUser(store, 'ada');
    const { result, longestGap } = await whileLockedElsewhere(path, () =>
      store.appendMessage({ room: 'general', author, clientOffset: 'while-locked', content: 'hi' }),
    );
    expect(result).toMatchObject({ created: true, message: { seq: 1, clientOffset: 'while-locked' } });
    expect(longestGap).toBeLessThan(45);
  });

  it('writes delivered receipts in the group commit: a lock held elsewhere is waited for with the event loop free', async () => {
    const { path, store } = openPair();
    const author = await newUser(store, 'lin');
    for (const key of ['a', 'b', 'c']) await store.appendMessage({ room: 'general', author, clientOffset: key, content: key });
    // Receipts had a transaction of their own on the reading connection, whose busy handler
    // slept with the thread blocked until the lock was free (up to 15 s).
    const { result, longestGap } = await whileLockedElsewhere(path, () =>
      store.markDeliveredMany([
        { userId: author.id, room: 'general', seq: 2 },
        { userId: author.id, room: 'general', seq: 99 },
      ]),
    );
    // Each mark answered as stored: the later one capped at the room's last seq.
    expect(result).toEqual([2, 3]);
    expect(longestGap).toBeLessThan(45);
    // Stored: a later, lower mark keeps the cursor where it is.
    expect(await store.markDeliveredMany([{ userId: author.id, room: 'general', seq: 1 }])).toEqual([3]);
  });

  it('commits two stores on one file at once without a gap, a repeat or a loss', async () => {
    const { path, store: a } = openPair();
    const b = openSqliteStore(path, { synchronous: 'NORMAL' });
    opened.push(b);
    const author = await newUser(a, 'grace');
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    // Every key is sent through both stores: each must be stored once and answered the same way by both.
    const [fromA, fromB] = await Promise.all([
      Promise.all(keys.map((key) => a.appendMessage({ room: 'general', author, clientOffset: key, content: key }))),
      Promise.all(keys.map((key) => b.appendMessage({ room: 'general', author, clientOffset: key, content: key }))),
    ]);
    fromA.forEach((answer, i) => {
      expect(fromB[i].message).toEqual(answer.message);
      expect(Number(answer.created) + Number(fromB[i].created)).toBe(1);
    });
    const stored = [...(await a.messagesAfter('general', 0, 500))];
    expect(stored.map((m) => m.seq)).toEqual(keys.map((_, i) => i + 1));
    expect(new Set(stored.map((m) => m.clientOffset)).size).toBe(keys.length);
    expect((await b.roomsOf(author.id))[0]).toMatchObject({ id: 'general', lastSeq: keys.length });
  });
});
