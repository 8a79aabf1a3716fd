/**
 * What a client missed: for each room, every message after its cursor, in seq
 * order, in pages of at most BATCH_SIZE (`message:batch`, or `message:rows` or `message:packed`
 * for a client that asks), read from the tail cache when it holds the page and from the store otherwise.
 */
import { BATCH_SIZE } from '../../shared/limits';
import type { Cursors, LastSeqs, PageFormat, RoomId, RoomSummary } from '../../shared/protocol';
import type { EncodedPage, Store } from '../store/store';
import type { TailCache } from './tail-cache';

/** Reads a page of a room after a seq (the room's summary says its current change rev), in a client's format. */
export type PageSource = (room: RoomSummary, afterSeq: number, limit: number, format: PageFormat) => Promise<EncodedPage>;

export type BatchSink = {
  /** False once the receiver is gone: stop reading. */
  readonly connected: boolean;
  /** What the receiver asked for (`auth.pages`). */
  readonly format: PageFormat;
  /**
   * Sends one page (`message:batch`, `message:rows` or `message:packed`, as `format` says), whose
   * payload is already JSON. Resolves once the receiver's connection took it; a receiver that stops
   * reading is disconnected by the sink, which then resolves too (`connected` turns false).
   */
  emitBatch(page: EncodedPage): Promise<void>;
};

/**
 * Pages written but not yet taken by the receiver's connection. Reading waits beyond this,
 * so a client that does not read costs a few pages of memory, not its whole history.
 */
export const PAGES_IN_FLIGHT = 4;

const NOTHING_MISSED: EncodedPage = { json: '[]', count: 0, lastSeq: 0 };

/**
 * Recent pages from this process's memory, the rest from the store.
 *
 * A client already holding its room's last seq (most connections of a reconnect storm) is
 * answered without a store read: every process records each message in its tail in the same
 * step as it emits it to its sockets (realtime/message-feed.ts), whichever process committed
 * it. So the socket, which joined its rooms' channels before asking, missed nothing: a
 * message committed before the room summary was read is at most `room.lastSeq`; one this
 * process emitted before the join is at most `tail.latestSeen`; anything emitted later
 * reaches the socket live.
 */
export function pageSource(
  tail: TailCache,
  store: Pick<Store, 'encodedMessagesAfter' | 'encodedRowsAfter' | 'encodedPackedAfter'>,
): PageSource {
  return async (room, afterSeq, limit, format) => {
    if (afterSeq >= room.lastSeq && afterSeq >= tail.latestSeen(room.id)) return NOTHING_MISSED;
    // The tail holds `message:batch` JSON; rows and packed pages come from the store, whose sealed pages (SQLite) read as fast.
    if (format === 'rows') return store.encodedRowsAfter(room.id, afterSeq, limit);
    if (format === 'packed') return store.encodedPackedAfter(room.id, afterSeq, limit);
    return tail.page(room.id, afterSeq, limit, room.lastRev ?? 0) ?? store.encodedMessagesAfter(room.id, afterSeq, limit);
  };
}

/**
 * How many messages the next page asks for. Rows and packed pages end on multiples of BATCH_SIZE,
 * so after a first short page every page is one the store keeps sealed; `message:batch` pages run
 * on from the cursor as v1 sent them.
 */
export function pageLimit(after: number, format: PageFormat): number {
  return format === 'messages' ? BATCH_SIZE : BATCH_SIZE - (after % BATCH_SIZE);
}

/** How much one catch-up replays per room (config.ts historyWindow, catchUpCap). */
export type ReplayLimits = {
  /** A room the client names no cursor for gets only its newest `window` messages (0: all of them, as v1 reads it). */
  window: number;
  /** A room whose cursor is further behind than this gets its newest window instead, and is told of the hole. */
  cap: number;
};

/** Each room's last seq as of the replay, and for rooms sent only their newest messages, the first seq sent. */
export type Replay = { lastSeq: LastSeqs; windows: Record<RoomId, number> };

/** Where a room's replay starts: after its cursor, or at its newest window (`windowed`). */
export function replayStart(room: RoomSummary, cursors: Cursors, limits: ReplayLimits): { after: number; windowed: boolean } {
  // Own keys only: a room named like an Object.prototype member must not read one.
  const explicit = Object.hasOwn(cursors, room.id);
  const cursor = explicit ? cursors[room.id] : 0;
  const newest = limits.window > 0 ? limits.window : limits.cap;
  const behind = room.lastSeq - cursor;
  if (!explicit && limits.window > 0 && room.lastSeq > limits.window) return { after: room.lastSeq - limits.window, windowed: true };
  if (behind > limits.cap && room.lastSeq - newest > cursor) return { after: room.lastSeq - newest, windowed: true };
  return { after: cursor, windowed: false };
}

/** Sends the missed messages of `rooms` (each within its limits) and returns where each room stands. */
export async function replayMissed(
  pages: PageSource,
  sink: BatchSink,
  rooms: RoomSummary[],
  cursors: Cursors,
  limits: ReplayLimits,
): Promise<Replay> {
  const lastSeq: LastSeqs = Object.create(null);
  const windows: Record<RoomId, number> = Object.create(null);
  const inFlight: Array<Promise<void>> = [];
  for (const room of rooms) {
    const start = replayStart(room, cursors, limits);
    let after = start.after;
    if (start.windowed) windows[room.id] = after + 1;
    lastSeq[room.id] = room.lastSeq;
    // Read until a short page rather than up to room.lastSeq: the live channel was joined
    // before this read, so anything committed after it arrives as message:new instead.
    while (sink.connected) {
      const limit = pageLimit(after, sink.format);
      const page = await pages(room, after, limit, sink.format);
      if (page.count > 0) {
        inFlight.push(sink.emitBatch(page));
        if (inFlight.length >= PAGES_IN_FLIGHT) await inFlight.shift();
        after = page.lastSeq;
        lastSeq[room.id] = Math.max(lastSeq[room.id], after);
      }
      if (page.count < limit) break;
      // Let acks and live traffic through between pages of a long catch-up.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { lastSeq, windows };
}
