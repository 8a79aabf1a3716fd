/**
 * The database connection index.html's inline script starts opening on a signed-in device, before
 * the app's module has loaded: opening took 17–33 ms of a warm start on this machine's Chromium,
 * spent while the module is fetched and evaluated instead of after. The app takes it once, when it
 * is at the version the app needs; otherwise (an upgrade, a database gone, another tab's upgrade
 * closing it) the app opens its own, as it did before.
 */

/** What the inline script leaves on the page; `closed` once a newer version asked it to close. */
export type EarlyDatabase = { database: IDBDatabase; closed: boolean };

type EarlyScope = { chatEarlyDb?: Promise<EarlyDatabase | null> };

export async function takeEarlyDatabase(version: number): Promise<IDBDatabase | null> {
  const scope = globalThis as EarlyScope;
  const early = scope.chatEarlyDb;
  delete scope.chatEarlyDb;
  const opened = early ? await early.catch(() => null) : null;
  if (!opened || opened.closed) return null;
  opened.database.onversionchange = null;
  if (opened.database.version === version) return opened.database;
  opened.database.close();
  return null;
}
