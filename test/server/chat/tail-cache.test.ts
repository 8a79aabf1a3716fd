/** The per-process tail cache that serves catch-up pages of recent messages from memory. */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/protocol';
import { createTailCache } from '../../../server/chat/tail-cache';

const message = (room: string, seq: number, content = `m${seq}`): Message => ({
  id: seq,
  room,
  seq,
  author: { id: 'u1', name: 'Ada' },
  clientOffset: `o${room}${seq}`,
  content,
  ts: 1_700_000_000_000 + seq,
});
const range = (room: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(room, from + i));
const generous = { totalBytes: 2 ** 30, roomBytes: 2 ** 30, maxAhead: 100 };

describe('tail cache', () => {
  it('serves full pages inside its run as the JSON of the messages, and nothing else', () => {
    const tail = createTailCache(generous);
    tail.record(range('general', 11, 30));
    expect(tail.page('general', 10, 5)).toEqual({ json: JSON.stringify(range('general', 11, 15)), count: 5, lastSeq: 15 });
    expect(tail.page('general', 25, 5)?.lastSeq).toBe(30);
    // Partial pages (the newest messages may not have reached this process yet) and seqs before the run go to the store.
    expect(tail.page('general', 26, 5)).toBeNull();
    expect(tail.page('general', 9, 5)).toBeNull();
    expect(tail.page('other', 0, 5)).toBeNull();
  });

  it('waits for a gap to fill when batches arrive out of order, and starts over when it does not', () => {
    const tail = createTailCache({ ...generous, maxAhead: 3 });
    tail.record(range('general', 1, 5));
    tail.record(range('general', 9, 10));
    expect(tail.page('general', 5, 2)).toBeNull();
    tail.record(range('general', 6, 8));
    expect(JSON.parse(tail.page('general', 0, 10)?.json ?? 'null')).toEqual(range('general', 1, 10));
    // Seq 11 never comes: after more than 3 held messages the run restarts at the newest.
    tail.record(range('general', 12, 15));
    expect(tail.page('general', 0, 10)).toBeNull();
    tail.record(range('general', 16, 17));
    expect(tail.page('general', 14, 3)?.lastSeq).toBe(17);
  });

  it('ignores repeats, keeps a room within its share and evicts the least recent rooms', () => {
    const bytes = (messages: Message[]) => messages.reduce((sum, m) => sum + JSON.stringify(m).length, 0);
    // Room a's share holds exactly its first 20 messages; the total, 2 more.
    const tail = createTailCache({ totalBytes: bytes(range('a', 1, 22)), roomBytes: bytes(range('a', 1, 20)), maxAhead: 10 });
    tail.record(range('a', 1, 20));
    tail.record(range('a', 5, 10));
    expect(tail.page('a', 0, 20)?.lastSeq).toBe(20);
    tail.record(range('a', 21, 21));
    // Over its share: the oldest quarter (6) went, the newest stayed.
    expect(tail.page('a', 0, 5)).toBeNull();
    expect(tail.page('a', 10, 11)?.lastSeq).toBe(21);
    tail.record(range('b', 1, 10));
    // a (15 left) + b (10) is over the total: a, the least recent, goes whole.
    expect(tail.page('a', 10, 1)).toBeNull();
    expect(tail.page('b', 0, 10)?.lastSeq).toBe(10);
  });

  it('forgets everything on clear', () => {
    const tail = createTailCache(generous);
    tail.record(range('general', 1, 3));
    tail.clear();
    expect(tail.page('general', 0, 3)).toBeNull();
  });
});
