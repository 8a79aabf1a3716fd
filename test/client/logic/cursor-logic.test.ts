import { describe, expect, it } from 'vitest';
import {
  advanceCursor,
  applySeqs,
  catchUpTotal,
  cursorsOf,
  opensGap,
  roomSyncOf,
  type RoomProgress,
} from '../../../client/logic/cursor-logic';

const rooms = (entries: Record<string, [number, number[]]>) =>
  new Map<string, RoomProgress>(Object.entries(entries).map(([room, [cursor, held]]) => [room, { cursor, held: new Set(held) }]));

describe('cursor', () => {
  it('advances only over consecutive seqs', () => {
    expect(advanceCursor(3, new Set([4, 5, 7]))).toBe(5);
    expect(advanceCursor(3, new Set([5]))).toBe(3);
  });

  it('a live seq beyond cursor + 1 opens a gap; the next one does not', () => {
    expect(opensGap(3, 5)).toBe(true);
    expect(opensGap(3, 4)).toBe(false);
    expect(opensGap(3, 2)).toBe(false);
  });

  it('holds seqs past a gap without advancing, then jumps when the gap is filled', () => {
    const afterGap = applySeqs(rooms({ general: [2, []] }), [{ room: 'general', seq: 5 }]);
    expect(afterGap.changed).toEqual({});
    expect(afterGap.gap).toBe(true);
    expect(afterGap.rooms.get('general')?.held).toEqual(new Set([5]));

    const filled = applySeqs(afterGap.rooms, [
      { room: 'general', seq: 3 },
      { room: 'general', seq: 4 },
    ]);
    expect(filled.changed).toEqual({ general: 5 });
    expect(filled.gap).toBe(false);
    expect(filled.rooms.get('general')?.held.size).toBe(0);
  });

  it('starts unknown rooms at 0 and ignores seqs it already covers', () => {
    const result = applySeqs(rooms({ general: [4, []] }), [
      { room: 'general', seq: 3 },
      { room: 'dm:a:b', seq: 1 },
      { room: 'dm:a:b', seq: 2 },
    ]);
    expect(result.changed).toEqual({ 'dm:a:b': 2 });
    expect(cursorsOf(result.rooms)).toEqual({ general: 4, 'dm:a:b': 2 });
  });

  it('does not mutate the rooms it was given', () => {
    const before = rooms({ general: [1, []] });
    applySeqs(before, [{ room: 'general', seq: 2 }]);
    expect(before.get('general')?.cursor).toBe(1);
  });

  it('counts what a catch-up still has to deliver', () => {
    expect(catchUpTotal({ general: 10 }, { general: 110, help: 5 })).toBe(105);
    expect(catchUpTotal({ general: 10 }, { general: 3 })).toBe(0);
  });

  it('counts only the window for a room without a cursor, and for one further behind than the cap', () => {
    const limits = { window: 50, cap: 500 };
    // A new device: general holds a million, only the newest 50 come; a small room comes whole.
    expect(catchUpTotal({}, { general: 1_000_000, small: 10 }, limits)).toBe(60);
    // An explicit cursor (even 0) gets everything after it up to the cap, past the cap the window.
    expect(catchUpTotal({ general: 0, help: 100 }, { general: 400, help: 900 }, limits)).toBe(450);
    // Window 0 (v1's reading): no cursor means everything, still bounded by the cap's window.
    expect(catchUpTotal({}, { general: 300, big: 9_000 }, { window: 0, cap: 500 })).toBe(800);
    // The defaults are the server's.
    expect(catchUpTotal({}, { general: 1_000_000 })).toBe(50);
  });

  it('syncs one room after its cursor, or as a first sync (its newest window) when the device holds none of it', () => {
    expect(roomSyncOf({ general: 12, long: 40 }, 'long')).toEqual({ cursors: { long: 40 } });
    expect(roomSyncOf({ general: 12 }, 'long')).toEqual({ cursors: {}, rooms: ['long'] });
    expect(roomSyncOf({ long: 0 }, 'long')).toEqual({ cursors: {}, rooms: ['long'] });
  });
});
