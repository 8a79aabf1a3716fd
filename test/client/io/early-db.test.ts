import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_NAME } from '../../../client/io/db';
import { takeEarlyDatabase, type EarlyDatabase } from '../../../client/io/early-db';
import { SIGNED_IN_HINT_KEY } from '../../../client/io/signed-in-hint';

type Scope = { chatEarlyDb?: Promise<EarlyDatabase | null> };
const scope = globalThis as Scope;

/** Enough of an IDBDatabase for what the taker reads and calls. */
function connection(version: number) {
  const state = { closed: false };
  const database = { version, onversionchange: () => undefined, close: () => (state.closed = true) } as unknown as IDBDatabase;
  return { database, state };
}

describe("index.html's early database connection", () => {
  afterEach(() => {
    delete scope.chatEarlyDb;
  });

  it("is opened by index.html's inline script under the app's own names (it cannot import them)", () => {
    const html = readFileSync('index.html', 'utf8');
    expect(html).toContain(`localStorage.getItem('${SIGNED_IN_HINT_KEY}')`);
    expect(html).toContain(`indexedDB.open('${DB_NAME}')`);
  });

  it("is taken once when it is at the app's version, and loses the inline script's versionchange handler", async () => {
    const { database, state } = connection(5);
    scope.chatEarlyDb = Promise.resolve({ database, closed: false });
    expect(await takeEarlyDatabase(5)).toBe(database);
    expect(database.onversionchange).toBeNull();
    expect(state.closed).toBe(false);
    expect(await takeEarlyDatabase(5)).toBeNull();
  });

  it('is closed and refused at an older version, so the app can upgrade on its own', async () => {
    const { database, state } = connection(4);
    scope.chatEarlyDb = Promise.resolve({ database, closed: false });
    expect(await takeEarlyDatabase(5)).toBeNull();
    expect(state.closed).toBe(true);
  });

  it('is refused when a newer version closed it, when there was none, when it failed, and on a device with no hint', async () => {
    scope.chatEarlyDb = Promise.resolve({ database: connection(5).database, closed: true });
    expect(await takeEarlyDatabase(5)).toBeNull();
    scope.chatEarlyDb = Promise.resolve(null);
    expect(await takeEarlyDatabase(5)).toBeNull();
    scope.chatEarlyDb = Promise.reject(new Error('indexedDB is not allowed'));
    expect(await takeEarlyDatabase(5)).toBeNull();
    expect(await takeEarlyDatabase(5)).toBeNull();
  });
});
