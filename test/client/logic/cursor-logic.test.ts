import { describe, expect, it } from 'vitest';
import { advanceCursor, applySeqs, catchUpTotal, cursorsOf, opensGap, type RoomProgress } from '../../../client/logic/cursor-logic';

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
});
