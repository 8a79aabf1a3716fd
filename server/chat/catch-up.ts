/**
 * What a client missed: for each room, every message after its cursor, in seq
 * order, in `message:batch` chunks of at most BATCH_SIZE, read from the tail
 * cache when it holds the page and from the store otherwise.
 */
import { BATCH_SIZE } from '../../shared/limits';
import type { Cursors, LastSeqs, RoomId, RoomSummary } from '../../shared/protocol';
import type { EncodedPage, Store } from '../store/store';
import type { TailCache } from './tail-cache';

/** Reads a page of a room after a seq. */
export type PageSource = (room: RoomId, afterSeq: number, limit: number) => Promise<EncodedPage>;

export type BatchSink = {
  /** False once the receiver is gone: stop reading. */
  readonly connected: boolean;
  /**
   * Sends one `message:batch`, whose payload is already JSON. Resolves once the receiver's
   * connection took it; a receiver that stops reading is disconnected by the sink, which
   * then resolves too (`connected` turns false).
   */
  emitBatch(page: EncodedPage): Promise<void>;
};

/**
 * Pages written but not yet taken by the receiver's connection. Reading waits beyond this,
 * so a client that does not read costs a few pages of memory, not its whole history.
 */
export const PAGES_IN_FLIGHT = 4;

/** Recent pages from this process's memory, the rest from the store. */
export function pageSource(tail: TailCache, store: Pick<Store, 'encodedMessagesAfter'>): PageSource {
  return async (room, afterSeq, limit) => tail.page(room, afterSeq, limit) ?? store.encodedMessagesAfter(room, afterSeq, limit);
}

/** Sends the missed messages of `rooms` and returns each room's last seq as of the replay. */
export async function replayMissed(pages: PageSource, sink: BatchSink, rooms: RoomSummary[], cursors: Cursors): Promise<LastSeqs> {
  const lastSeq: LastSeqs = Object.create(null);
  const inFlight: Array<Promise<void>> = [];
  for (const room of rooms) {
    // Own keys only: a room named like an Object.prototype member must not read one.
    let after = Object.hasOwn(cursors, room.id) ? cursors[room.id] : 0;
    lastSeq[room.id] = room.lastSeq;
    // Read until a short page rather than up to room.lastSeq: the live channel was joined
    // before this read, so anything committed after it arrives as message:new instead.
    while (sink.connected) {
      const page = await pages(room.id, after, BATCH_SIZE);
      if (page.count > 0) {
        inFlight.push(sink.emitBatch(page));
        if (inFlight.length >= PAGES_IN_FLIGHT) await inFlight.shift();
        after = page.lastSeq;
        lastSeq[room.id] = Math.max(lastSeq[room.id], after);
      }
      if (page.count < BATCH_SIZE) break;
      // Let acks and live traffic through between pages of a long catch-up.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return lastSeq;
}
