import { afterEach, describe, expect, it } from 'vitest';
import { takeEarlyDatabase, type EarlyDatabase } from '../../../client/io/early-db';

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
