/** The only user of IndexedDB: session, messages per room, cursors, the outbox and the rooms list, with the transactions that tie them. */
import { openDB, wrap, type DBSchema, type IDBPDatabase, type IDBPObjectStore, type IDBPTransaction, type StoreNames } from 'idb';
import type { Cursors, RoomId } from '../../shared/protocol';
import { SIGNED_OUT_AUTHOR, type Draft, type LocalMessage, type OutboxEntry, type Session } from '../logic/models';
import type { RoomEntry } from '../logic/room-logic';
import { takeEarlyDatabase } from './early-db';

export const DB_NAME = 'offline-chat';
/**
 * v1: session, messages, cursors, outbox, drafts. v2: + rooms (the rooms list, readable offline), + ui (the room on screen).
 * v3: outbox entries and drafts carry their author's user id; + revocations (tokens of an offline sign-out, for the server).
 * v4: the outbox holds operations (`kind`: send, edit, delete, react); + revs (each room's change cursor).
 * v5: + blobs (the files a queued send carries, by its clientOffset; `io/attachment-blobs.ts`).
 */
const DB_VERSION = 5;

interface ChatDB extends DBSchema {
  session: { key: 'current'; value: Session };
  messages: { key: string; value: LocalMessage; indexes: { 'by-room': RoomId } };
  cursors: { key: RoomId; value: { room: RoomId; cursor: number } };
  outbox: { key: string; value: OutboxEntry; indexes: { 'by-order': number } };
  drafts: { key: RoomId; value: Draft };
  rooms: { key: RoomId; value: RoomEntry };
  /** 'current-room': the room on screen; 'read-receipts': whether this person shares how far they read. */
  ui: { key: 'current-room' | 'read-receipts'; value: RoomId | boolean };
  revocations: { key: string; value: { token: string } };
  revs: { key: RoomId; value: { room: RoomId; rev: number } };
  blobs: { key: string; value: QueuedBlobs };
}

/** The bytes of a queued send's files, in the order of its `files`: they leave with the entry. */
export type QueuedBlobs = { clientOffset: string; blobs: Blob[] };

type UpgradeTransaction = IDBPTransaction<ChatDB, StoreNames<ChatDB>[], 'versionchange'>;

/**
 * v3: outbox entries and drafts name their author. Until v3 a device held one identity at a time, so the
 * stored session's user wrote them. With no session stored, they were written by someone whose session
 * ended (v2 kept the outbox and drafts for whoever joined next): the entries stay, never to be sent, and
 * the drafts go, as they would at the end of a session now.
 */
async function stampAuthors(transaction: UpgradeTransaction): Promise<void> {
  const session = await transaction.objectStore('session').get('current');
  const authorId = session?.user.id ?? SIGNED_OUT_AUTHOR;
  for (let cursor = await transaction.objectStore('outbox').openCursor(); cursor; cursor = await cursor.continue()) {
    if (typeof cursor.value.authorId !== 'string') await cursor.update({ ...cursor.value, authorId });
  }
  for (let cursor = await transaction.objectStore('drafts').openCursor(); cursor; cursor = await cursor.continue()) {
    if (session) await cursor.update({ ...cursor.value, authorId });
    else await cursor.delete();
  }
}

/**
 * v4: every queued entry is a send (the only operation there was), and every room the device follows
 * gets change cursor 0, so its first catch-up brings every edit, delete and reaction its messages lack.
 */
async function operationsAndRevs(transaction: UpgradeTransaction): Promise<void> {
  for (let cursor = await transaction.objectStore('outbox').openCursor(); cursor; cursor = await cursor.continue()) {
    if (typeof (cursor.value as { kind?: unknown }).kind !== 'string')
      await cursor.update({ ...cursor.value, kind: 'send' } as OutboxEntry);
  }
  const revs = transaction.objectStore('revs');
  for (const { room } of await transaction.objectStore('cursors').getAll()) await revs.put({ room, rev: 0 });
}

let dbPromise: Promise<IDBPDatabase<ChatDB>> | undefined;

/** The open database, for the lazy modules that keep their own stores here (the blobs of queued files). */
export function db(): Promise<IDBPDatabase<ChatDB>> {
  dbPromise ??= openChatDb();
  return dbPromise;
}

/** The connection index.html started when it is at our version (io/early-db.ts), else one of our own. */
async function openChatDb(): Promise<IDBPDatabase<ChatDB>> {
  const early = await takeEarlyDatabase(DB_VERSION);
  if (!early) return openDB<ChatDB>(DB_NAME, DB_VERSION, { upgrade: upgradeChatDb, blocking: letNewerVersionIn });
  early.addEventListener('versionchange', letNewerVersionIn);
  return wrap(early) as IDBPDatabase<ChatDB>;
}

/** A newer version of the app (another tab) wants to upgrade: let it. */
function letNewerVersionIn(): void {
  void db().then((open) => open.close());
  dbPromise = undefined;
}

/** Step by step from whatever version the device has, so a v1 user keeps session, messages and outbox. */
function upgradeChatDb(
  database: IDBPDatabase<ChatDB>,
  oldVersion: number,
  _newVersion: number | null,
  transaction: UpgradeTransaction,
): void {
  if (oldVersion < 1) {
    database.createObjectStore('session');
    database.createObjectStore('messages', { keyPath: 'key' }).createIndex('by-room', 'room');
    database.createObjectStore('cursors', { keyPath: 'room' });
    database.createObjectStore('outbox', { keyPath: 'clientOffset' }).createIndex('by-order', 'order');
    database.createObjectStore('drafts', { keyPath: 'room' });
  }
  if (oldVersion < 2) {
    database.createObjectStore('rooms', { keyPath: 'id' });
    database.createObjectStore('ui');
  }
  if (oldVersion < 3) {
    database.createObjectStore('revocations', { keyPath: 'token' });
    // Runs inside the upgrade's transaction: the app sees v3 only once every entry has its author.
    if (oldVersion > 0) void stampAuthors(transaction).then(() => operationsAndRevs(transaction));
  }
  if (oldVersion < 4) {
    database.createObjectStore('revs', { keyPath: 'room' });
    // After v3's stamping when both run (the v1/v2 case above chains it), so entries get author and kind.
    if (oldVersion === 3) void operationsAndRevs(transaction);
  }
  if (oldVersion < 5) database.createObjectStore('blobs', { keyPath: 'clientOffset' });
}

/** A read of the session started before the app was set up (main.ts), for the first `loadSession`. */
let earlySession: Promise<Session | undefined> | undefined;

const readSession = async (): Promise<Session | undefined> => (await db()).get('session', 'current');

/** Starts reading the session now: the database opens while Vue is being set up, not after. */
export function prefetchSession(): void {
  earlySession ??= readSession();
}

export function loadSession(): Promise<Session | undefined> {
  const early = earlySession;
  earlySession = undefined;
  return early ?? readSession();
}

export async function saveSession(session: Session): Promise<void> {
  earlySession = undefined; // a read started before this write would be stale
  await (await db()).put('session', session, 'current');
}

export type Wipe = {
  /** The end of a session keeps the outbox (its entries stay, inert, for their author to read and delete); a sign-out does not. */
  keepOutbox: boolean;
  /** Leave everything as it is if a session is stored by then: someone joined in another tab meanwhile. */
  unlessSignedIn?: boolean;
  /** The token of a sign-out the server has not heard of yet, kept until it has (see `loadRevocations`). */
  revoke?: string;
};

/**
 * Forgets the person on this device in one transaction: session, messages, cursors, drafts, rooms, the
 * room on screen and, unless kept, the outbox. Returns how many drafts were deleted, or undefined when
 * it left everything because someone had signed in (`unlessSignedIn`).
 */
export async function wipeDevice(wipe: Wipe): Promise<{ drafts: number } | undefined> {
  earlySession = undefined;
  const tx = (await db()).transaction(
    ['session', 'messages', 'cursors', 'outbox', 'drafts', 'rooms', 'ui', 'revocations', 'revs', 'blobs'],
    'readwrite',
  );
  if (wipe.unlessSignedIn && (await tx.objectStore('session').get('current'))) {
    await tx.done;
    return undefined;
  }
  const drafts = await tx.objectStore('drafts').count();
  const cleared = (['session', 'messages', 'cursors', 'drafts', 'rooms', 'ui', 'revs'] as const).map((name) =>
    tx.objectStore(name).clear(),
  );
  if (!wipe.keepOutbox) cleared.push(tx.objectStore('outbox').clear(), tx.objectStore('blobs').clear());
  // Kept are the messages (their author must learn they did not go out); a queued reaction, edit or delete
  // of a session that ended would never be shown nor sent, so it goes.
  else cleared.push(dropQueuedChanges(tx.objectStore('outbox')));
  if (wipe.revoke)
    cleared.push(
      tx
        .objectStore('revocations')
        .put({ token: wipe.revoke })
        .then(() => undefined),
    );
  await Promise.all([...cleared, tx.done]);
  return { drafts };
}

async function dropQueuedChanges(outbox: IDBPObjectStore<ChatDB, StoreNames<ChatDB>[], 'outbox', 'readwrite'>): Promise<void> {
  for (let cursor = await outbox.openCursor(); cursor; cursor = await cursor.continue()) {
    if (cursor.value.kind !== 'send') await cursor.delete();
  }
}

/** Tokens of sign-outs made offline: the server must still be told to forget them. */
export async function loadRevocations(): Promise<string[]> {
  return (await (await db()).getAll('revocations')).map((revocation) => revocation.token);
}

export async function forgetRevocation(token: string): Promise<void> {
  await (await db()).delete('revocations', token);
}

export async function saveReadReceipts(share: boolean): Promise<void> {
  await (await db()).put('ui', share, 'read-receipts');
}

export async function saveCurrentRoom(room: RoomId): Promise<void> {
  await (await db()).put('ui', room, 'current-room');
}

export async function loadRooms(): Promise<RoomEntry[]> {
  return (await db()).getAll('rooms');
}

/** Replaces the stored list with `rooms` (rooms left elsewhere disappear) in one transaction. */
export async function saveRooms(rooms: readonly RoomEntry[]): Promise<void> {
  const tx = (await db()).transaction('rooms', 'readwrite');
  const store = tx.objectStore('rooms');
  await Promise.all([store.clear(), ...rooms.map((room) => store.put(room)), tx.done]);
}

export async function loadCursors(): Promise<Cursors> {
  return cursorsFromRows(await (await db()).getAll('cursors'));
}

const cursorsFromRows = (rows: ReadonlyArray<{ room: RoomId; cursor: number }>): Cursors =>
  Object.fromEntries(rows.map((row) => [row.room, row.cursor]));

export async function loadOutbox(): Promise<OutboxEntry[]> {
  return outboxOf(await (await db()).getAllFromIndex('outbox', 'by-order'));
}

// An entry without a kind was written as a message (before v4, or by a page of the older app still open during the upgrade).
const outboxOf = (entries: readonly OutboxEntry[]): OutboxEntry[] =>
  entries.map((entry) => (typeof (entry as { kind?: unknown }).kind === 'string' ? entry : ({ ...entry, kind: 'send' } as OutboxEntry)));

/** What the chat shows from this device, read in one transaction when the chat opens (chat-state.ts; boot.ts starts it early). */
export type ChatRecords = {
  messages: LocalMessage[];
  cursors: Cursors;
  /** Change cursors per room: every change up to each was applied to the stored messages. */
  revs: Cursors;
  outbox: OutboxEntry[];
  rooms: RoomEntry[];
  /** The room on screen, so a relaunch reopens it. */
  currentRoom: RoomId | undefined;
  /** Whether this person shares read receipts, as last set on this device (the server keeps the setting; true unless turned off). */
  readReceipts: boolean;
};

export async function readChatRecords(): Promise<ChatRecords> {
  const tx = (await db()).transaction(['messages', 'cursors', 'revs', 'outbox', 'rooms', 'ui']);
  const [messages, cursors, revs, outbox, rooms, currentRoom, readReceipts] = await Promise.all([
    tx.objectStore('messages').getAll(),
    tx.objectStore('cursors').getAll(),
    tx.objectStore('revs').getAll(),
    tx.objectStore('outbox').index('by-order').getAll(),
    tx.objectStore('rooms').getAll(),
    tx.objectStore('ui').get('current-room'),
    tx.objectStore('ui').get('read-receipts'),
  ]);
  return {
    messages,
    cursors: cursorsFromRows(cursors),
    revs: Object.fromEntries(revs.map((row) => [row.room, row.rev])),
    outbox: outboxOf(outbox),
    rooms,
    currentRoom: typeof currentRoom === 'string' ? currentRoom : undefined,
    readReceipts: readReceipts !== false,
  };
}

/** The pending message (a send has one; a change shows on its target instead) and its outbox entry are written together or not at all. */
export async function queueOutgoing(entry: OutboxEntry, message?: LocalMessage): Promise<void> {
  const tx = (await db()).transaction(['outbox', 'messages'], 'readwrite');
  const writes: Promise<unknown>[] = [tx.objectStore('outbox').add(entry)];
  if (message) writes.push(tx.objectStore('messages').put(message));
  await Promise.all([...writes, tx.done]);
}

/**
 * Changed messages and the rev cursors they advance in one transaction; our own changes leave the
 * outbox in the same one, so a change is never both applied and still queued.
 */
export async function storeChanges(messages: LocalMessage[], revs: Cursors, settledOffsets: string[]): Promise<void> {
  const tx = (await db()).transaction(['messages', 'revs', 'outbox'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  for (const message of messages) writes.push(tx.objectStore('messages').put(message));
  for (const [room, rev] of Object.entries(revs)) writes.push(tx.objectStore('revs').put({ room, rev }));
  for (const offset of settledOffsets) writes.push(tx.objectStore('outbox').delete(offset));
  await Promise.all([...writes, tx.done]);
}

/** Rewrites and removes queued entries and their pending records together (an edit or delete of a queued message). */
export async function rewriteOutgoing(
  entries: { put: OutboxEntry[]; remove: string[] },
  messages: { put: LocalMessage[]; remove: string[] },
): Promise<void> {
  const tx = (await db()).transaction(['outbox', 'messages', 'blobs'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  for (const entry of entries.put) writes.push(tx.objectStore('outbox').put(entry));
  for (const offset of entries.remove) writes.push(tx.objectStore('outbox').delete(offset), tx.objectStore('blobs').delete(offset));
  for (const message of messages.put) writes.push(tx.objectStore('messages').put(message));
  for (const key of messages.remove) writes.push(tx.objectStore('messages').delete(key));
  await Promise.all([...writes, tx.done]);
}

/**
 * Stores server messages and the cursors they advance in one transaction; our own
 * messages leave the outbox in the same one, so "sent" and "still queued" never coexist.
 */
export async function storeServerMessages(messages: LocalMessage[], cursors: Cursors, settledOffsets: string[]): Promise<void> {
  const tx = (await db()).transaction(['messages', 'cursors', 'outbox', 'blobs'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  for (const message of messages) writes.push(tx.objectStore('messages').put(message));
  for (const [room, cursor] of Object.entries(cursors)) writes.push(tx.objectStore('cursors').put({ room, cursor }));
  // A sent message's files are the server's now: their queued bytes go with the entry.
  for (const offset of settledOffsets) writes.push(tx.objectStore('outbox').delete(offset), tx.objectStore('blobs').delete(offset));
  await Promise.all([...writes, tx.done]);
}

/** Evicts stored messages (sent ones beyond the room's bound); their cursors stay, so nothing is fetched again by itself. */
export async function deleteMessages(keys: readonly string[]): Promise<void> {
  const tx = (await db()).transaction('messages', 'readwrite');
  await Promise.all([...keys.map((key) => tx.objectStore('messages').delete(key)), tx.done]);
}

export async function updateOutgoing(entry: OutboxEntry, message?: LocalMessage): Promise<void> {
  const tx = (await db()).transaction(['outbox', 'messages'], 'readwrite');
  const writes: Promise<unknown>[] = [tx.objectStore('outbox').put(entry)];
  if (message) writes.push(tx.objectStore('messages').put(message));
  await Promise.all([...writes, tx.done]);
}

/** Takes an entry out of the outbox, and its pending record with it when it is a send. */
export async function deleteOutgoing(clientOffset: string, messageKey?: string): Promise<void> {
  const tx = (await db()).transaction(['outbox', 'messages', 'blobs'], 'readwrite');
  const writes: Promise<unknown>[] = [tx.objectStore('outbox').delete(clientOffset), tx.objectStore('blobs').delete(clientOffset)];
  if (messageKey) writes.push(tx.objectStore('messages').delete(messageKey));
  await Promise.all([...writes, tx.done]);
}

/** `authorId`'s draft for `room`; a draft someone else left (a session that ended) is never shown. */
export async function loadDraft(authorId: string, room: RoomId): Promise<string> {
  const draft = await (await db()).get('drafts', room);
  return draft?.authorId === authorId ? draft.text : '';
}

export async function saveDraft(authorId: string, room: RoomId, text: string): Promise<void> {
  const database = await db();
  if (text) await database.put('drafts', { room, authorId, text });
  else await database.delete('drafts', room);
}

/** Asks the browser not to evict our data under storage pressure; false when it declines. */
export async function requestPersistentStorage(): Promise<boolean> {
  if (!navigator.storage?.persist) return false;
  if (await navigator.storage.persisted()) return true;
  return navigator.storage.persist();
}

/** How much this origin stores (IndexedDB, caches, the service worker's precache) and may store, as the browser estimates it. */
export async function estimateStorage(): Promise<{ usage: number; quota?: number } | undefined> {
  if (!navigator.storage?.estimate) return undefined;
  const { usage, quota } = await navigator.storage.estimate();
  return { usage: usage ?? 0, quota };
}

export function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22);
}
