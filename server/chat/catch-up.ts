/**
 * Streams what a client missed: for each room, every message after its cursor,
 * in seq order, in `message:batch` chunks of at most BATCH_SIZE.
 */
import { BATCH_SIZE } from '../../shared/limits';
import type { Cursors, LastSeqs, Message, RoomSummary } from '../../shared/protocol';
import type { Store } from '../store/store';

export type BatchSink = {
  /** False once the receiver is gone: stop reading. */
  readonly connected: boolean;
  emitBatch(messages: Message[]): void;
};

/** Sends the missed messages of `rooms` and returns each room's last seq as of the replay. */
export async function replayMissed(store: Store, sink: BatchSink, rooms: RoomSummary[], cursors: Cursors): Promise<LastSeqs> {
  const lastSeq: LastSeqs = {};
  for (const room of rooms) {
    let after = cursors[room.id] ?? 0;
    lastSeq[room.id] = room.lastSeq;
    // Read until a short page rather than up to room.lastSeq: the live channel was joined
    // before this read, so anything committed after it arrives as message:new instead.
    while (sink.connected) {
      const page = await store.messagesAfter(room.id, after, BATCH_SIZE);
      if (page.length > 0) {
        sink.emitBatch(page);
        after = page[page.length - 1].seq;
        lastSeq[room.id] = Math.max(lastSeq[room.id], after);
      }
      if (page.length < BATCH_SIZE) break;
      // Let acks and live traffic through between pages of a long catch-up.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return lastSeq;
}
