/** What a client missed: replayMissed over a page source and a sink, and where pages come from. */
import { describe, expect, it } from 'vitest';
import { BATCH_SIZE } from '../../../shared/limits';
import { messagesOfPacked } from '../../../shared/message-packed';
import { messagesOfRows } from '../../../shared/message-rows';
import type { Message, MessagePacked, MessageRows, PageFormat, RoomSummary } from '../../../shared/protocol';
import { pageSource, replayMissed, type BatchSink, type PageSource } from '../../../server/chat/catch-up';
import { createTailCache } from '../../../server/chat/tail-cache';
import { encodePackedPage, encodePage, encodeRowsPage, type EncodedPage } from '../../../server/store/store';

const message = (room: string, seq: number): Message => ({
  id: seq,
  room,
  seq,
  author: { id: 'u', name: 'U' },
  clientOffset: `${room}-${seq}`,
  content: `#${seq}`,
  ts: seq,
});

/** A store of `sizes[room]` messages per room, recording every read. */
function fakePages(sizes: Record<string, number>) {
  const reads: Array<[room: string, after: number, limit: number]> = [];
  const pages: PageSource = async ({ id: room }, after, limit, format) => {
    reads.push([room, after, limit]);
    const last = Math.min(sizes[room] ?? 0, after + limit);
    const messages = Array.from({ length: Math.max(0, last - after) }, (_, index) => message(room, after + 1 + index));
    return encodeAs(format, room, messages);
  };
  return { pages, reads };
}

function encodeAs(format: PageFormat, room: string, messages: Message[]): EncodedPage {
  if (format === 'rows') return encodeRowsPage(room, messages);
  return format === 'packed' ? encodePackedPage(room, messages) : encodePage(messages);
}

/** A page as its receiver reads it back, whatever its format. */
function decodeAs(format: PageFormat, json: string): Message[] {
  if (format === 'rows') return messagesOfRows(JSON.parse(json) as MessageRows);
  return format === 'packed' ? messagesOfPacked(JSON.parse(json) as MessagePacked) : (JSON.parse(json) as Message[]);
}

function recordingSink(disconnectAfter = Number.POSITIVE_INFINITY, format: PageFormat = 'messages'): BatchSink & { batches: Message[][] } {
  const batches: Message[][] = [];
  return {
    batches,
    format,
    get connected() {
      return batches.length < disconnectAfter;
    },
    emitBatch: async (page: EncodedPage) => void batches.push(decodeAs(format, page.json)),
  };
}

const rooms = (...list: Array<[string, number]>): RoomSummary[] => list.map(([id, lastSeq]) => ({ id, lastSeq }));
/** v1's reading: every message after the cursor (no window, no cap), what these tests are about. */
const ALL = { window: 0, cap: Number.MAX_SAFE_INTEGER };
const lastSeqOf = async (replay: Promise<{ lastSeq: Record<string, number> }>) => (await replay).lastSeq;

describe('replayMissed', () => {
  it('sends every message after each cursor in batches of at most BATCH_SIZE, room by room, in seq order', async () => {
    const { pages } = fakePages({ general: 1203, design: 3 });
    const sink = recordingSink();
    const lastSeq = await lastSeqOf(replayMissed(pages, sink, rooms(['general', 1203], ['design', 3]), { general: 100 }, ALL));
    expect(sink.batches.map((batch) => [batch[0].room, batch.length])).toEqual([
      ['general', 500],
      ['general', 500],
      ['general', 103],
      ['design', 3],
    ]);
    expect(
      sink.batches
        .flat()
        .filter((m) => m.room === 'general')
        .map((m) => m.seq),
    ).toEqual(Array.from({ length: 1103 }, (_, index) => 101 + index));
    expect(lastSeq).toEqual({ general: 1203, design: 3 });
  });

  it('sends nothing to a client that is up to date, and still answers the last seqs', async () => {
    const { pages, reads } = fakePages({ general: 7 });
    const sink = recordingSink();
    expect(await lastSeqOf(replayMissed(pages, sink, rooms(['general', 7]), { general: 7 }, ALL))).toEqual({ general: 7 });
    expect(sink.batches).toEqual([]);
    expect(reads).toEqual([['general', 7, BATCH_SIZE]]);
  });

  it('reads on past the lastSeq it was given (messages committed meanwhile) until a short page', async () => {
    const { pages, reads } = fakePages({ general: BATCH_SIZE + 20 });
    const sink = recordingSink();
    // The room listing said 10, but 510 are there by the time the pages are read.
    const lastSeq = await lastSeqOf(replayMissed(pages, sink, rooms(['general', 10]), {}, ALL));
    expect(sink.batches.flat()).toHaveLength(BATCH_SIZE + 20);
    expect(lastSeq).toEqual({ general: BATCH_SIZE + 20 });
    expect(reads.map(([, after]) => after)).toEqual([0, BATCH_SIZE]);
  });

  it('stops reading once the receiver is gone', async () => {
    const { pages, reads } = fakePages({ general: 5 * BATCH_SIZE });
    const sink = recordingSink(2);
    await replayMissed(pages, sink, rooms(['general', 5 * BATCH_SIZE], ['design', 0]), {}, ALL);
    expect(sink.batches).toHaveLength(2);
    expect(reads).toHaveLength(2);
  });
});

describe.each(['rows', 'packed'] as const)('replayMissed with %s pages (auth.pages)', (format) => {
  it('ends every page on a multiple of BATCH_SIZE after a first short one, and sends the same messages', async () => {
    const { pages, reads } = fakePages({ general: 1203 });
    const rowsSink = recordingSink(Number.POSITIVE_INFINITY, format);
    const lastSeq = await lastSeqOf(replayMissed(pages, rowsSink, rooms(['general', 1203]), { general: 100 }, ALL));
    expect(reads).toEqual([
      ['general', 100, 400],
      ['general', 500, 500],
      ['general', 1000, 500],
    ]);
    expect(rowsSink.batches.map((batch) => batch.length)).toEqual([400, 500, 203]);
    const v1Sink = recordingSink();
    await replayMissed(fakePages({ general: 1203 }).pages, v1Sink, rooms(['general', 1203]), { general: 100 }, ALL);
    expect(rowsSink.batches.flat()).toEqual(v1Sink.batches.flat());
    expect(lastSeq).toEqual({ general: 1203 });
  });

  it('reads once more after a page that ends exactly on a boundary, and stops at the first short page', async () => {
    const { pages, reads } = fakePages({ general: 1000 });
    await replayMissed(pages, recordingSink(Number.POSITIVE_INFINITY, format), rooms(['general', 1000]), { general: 0 }, ALL);
    expect(reads).toEqual([
      ['general', 0, 500],
      ['general', 500, 500],
      ['general', 1000, 500],
    ]);
  });
});

describe('pageSource', () => {
  /** A page source over a real tail cache and a store of `last` messages in general, counting store reads. */
  function sourceWith(last: number) {
    const tail = createTailCache();
    const storeReads: number[] = [];
    const rowsReads: number[] = [];
    const packedReads: number[] = [];
    const stored = (room: string, after: number, limit: number) =>
      Array.from({ length: Math.max(0, Math.min(limit, last - after)) }, (_, index) => message(room, after + 1 + index));
    const pages = pageSource(tail, {
      encodedMessagesAfter: async (room, after, limit) => {
        storeReads.push(after);
        const count = Math.max(0, Math.min(limit, last - after));
        return encodePage(Array.from({ length: count }, (_, index) => message(room, after + 1 + index)));
      },
      encodedRowsAfter: async (room, after, limit) => {
        rowsReads.push(after);
        return encodeRowsPage(room, stored(room, after, limit));
      },
      encodedPackedAfter: async (room, after, limit) => {
        packedReads.push(after);
        return encodePackedPage(room, stored(room, after, limit));
      },
    });
    return { tail, pages, storeReads, rowsReads, packedReads };
  }

  it('serves a page from the tail cache when it holds all of it, and from the store otherwise', async () => {
    const { tail, pages, storeReads } = sourceWith(20);
    tail.record(Array.from({ length: 10 }, (_, index) => message('general', 11 + index)));
    const general = { id: 'general', lastSeq: 20 };
    expect(JSON.parse((await pages(general, 12, 5, 'messages')).json)).toEqual([13, 14, 15, 16, 17].map((seq) => message('general', seq)));
    expect(storeReads).toEqual([]);
    await pages(general, 0, 5, 'messages');
    await pages(general, 18, 5, 'messages');
    expect(storeReads).toEqual([0, 18]);
  });

  it("answers a client that holds its room's last seq without reading the store (a reconnect storm)", async () => {
    const { pages, storeReads } = sourceWith(20);
    const page = await pages({ id: 'general', lastSeq: 20 }, 20, BATCH_SIZE, 'messages');
    expect(page.count).toBe(0);
    expect(JSON.parse(page.json)).toEqual([]);
    expect(storeReads).toEqual([]);
    // One behind: read (here from the store: the tail holds nothing).
    expect((await pages({ id: 'general', lastSeq: 20 }, 19, BATCH_SIZE, 'messages')).count).toBe(1);
    expect(storeReads).toEqual([19]);
  });

  it('reads the store when this process emitted a later message than the room summary knew (before the socket joined)', async () => {
    // The summary was read at 20; message 21 was committed and emitted here before the join, so not to this socket.
    const { tail, pages, storeReads } = sourceWith(21);
    tail.record([message('general', 21)]);
    const page = await pages({ id: 'general', lastSeq: 20 }, 20, BATCH_SIZE, 'messages');
    expect(JSON.parse(page.json)).toEqual([message('general', 21)]);
    expect(storeReads).toEqual([20]);
    // Other rooms are not affected by general's messages.
    expect((await pages({ id: 'design', lastSeq: 0 }, 0, BATCH_SIZE, 'messages')).count).toBe(0);
    expect(storeReads).toEqual([20]);
  });

  it.each(['rows', 'packed'] as const)(
    'reads %s pages from the store, never from the tail (it holds message:batch JSON), but skips the read for a client that missed nothing',
    async (format) => {
      const { tail, pages, storeReads, rowsReads, packedReads } = sourceWith(20);
      tail.record(Array.from({ length: 10 }, (_, index) => message('general', 11 + index)));
      const general = { id: 'general', lastSeq: 20 };
      const page = await pages(general, 12, 5, format);
      expect(decodeAs(format, page.json)).toEqual([13, 14, 15, 16, 17].map((seq) => message('general', seq)));
      const reads = format === 'rows' ? rowsReads : packedReads;
      expect(reads).toEqual([12]);
      expect((await pages(general, 20, BATCH_SIZE, format)).count).toBe(0);
      expect(reads).toEqual([12]);
      expect([...storeReads, ...(format === 'rows' ? packedReads : rowsReads)]).toEqual([]);
    },
  );
});
