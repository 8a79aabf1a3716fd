/**
 * The chat's state on this device (IndexedDB: messages, outbox, rooms, receipts), read each time
 * the chat is shown for a session. A returning device starts the first read at once (App.vue),
 * beside the read of its session, so a warm start does not wait for one read after the other.
 */
import { useMessagesStore } from './stores/messages';
import { useOutboxStore } from './stores/outbox';
import { useReceiptsStore } from './stores/receipts';
import { useRoomsStore } from './stores/rooms';

let early: Promise<void> | undefined;
let shown = false;

function readChatState(): Promise<void> {
  // All at once: each is one IndexedDB read, and none needs another's result.
  const stores = [useMessagesStore(), useOutboxStore(), useRoomsStore(), useReceiptsStore()];
  return Promise.all(stores.map((store) => store.load())).then(() => undefined);
}

/** The page's first chat, started before the session is read; unused when the chat was shown first. */
export function prefetchChatState(): void {
  if (!shown && !early) early = readChatState();
}

/** The state for the chat being shown now: the first one takes the prefetched read, if any. */
export function chatStateRead(): Promise<void> {
  const read = !shown && early ? early : readChatState();
  shown = true;
  early = undefined;
  return read;
}
