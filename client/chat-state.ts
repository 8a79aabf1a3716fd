/**
 * The chat's state on this device (IndexedDB: messages, outbox, rooms, receipts), read each time
 * the chat is shown for a session. A returning device starts the first read at once (boot.ts),
 * beside the read of its session, so a warm start does not wait for one read after the other.
 */
import { readChatRecords, type ChatRecords } from './io/db';
import { useMessagesStore } from './stores/messages';
import { useOutboxStore } from './stores/outbox';
import { useReceiptsStore } from './stores/receipts';
import { useRoomsStore } from './stores/rooms';

let early: Promise<void> | undefined;
let shown = false;

function readChatState(records: Promise<ChatRecords> = readChatRecords()): Promise<void> {
  // One IndexedDB transaction for the four stores.
  const stores = [useMessagesStore(), useOutboxStore(), useRoomsStore(), useReceiptsStore()];
  return Promise.all(stores.map((store) => store.load(records))).then(() => undefined);
}

/**
 * The page's first chat, its read started before the session's ended (boot.ts, before this chunk
 * arrived); unused when the chat was shown first.
 */
export function prefetchChatState(records: Promise<ChatRecords>): void {
  if (!shown && !early) early = readChatState(records);
}

/** The state for the chat being shown now: the first one takes the prefetched read, if any. */
export function chatStateRead(): Promise<void> {
  const read = !shown && early ? early : readChatState();
  shown = true;
  early = undefined;
  return read;
}
