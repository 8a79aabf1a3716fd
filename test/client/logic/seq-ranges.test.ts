import { describe, expect, it } from 'vitest';
import { cursorUnderWindow, heldRanges, holesIn, olderStep } from '../../../client/logic/seq-ranges';

describe('held seq ranges', () => {
  it('merges any order and duplicates into runs, lowest first', () => {
    expect(heldRanges([7, 3, 4, 5, 9, 4, 10])).toEqual([
      { from: 3, to: 5 },
      { from: 7, to: 7 },
      { from: 9, to: 10 },
    ]);
    expect(heldRanges([])).toEqual([]);
  });

  it('knows the hole below a window and the holes inside', () => {
    // A capped catch-up: 1..100 from before, then the newest window 9951..10000.
    const held = heldRanges([...range(1, 100), ...range(9951, 10_000)]);
    expect(holesIn(held)).toEqual([{ from: 101, to: 9950 }]);
    // A new device's window only: everything below it is a hole.
    expect(holesIn(heldRanges(range(951, 1000)))).toEqual([{ from: 1, to: 950 }]);
    expect(holesIn(heldRanges(range(1, 5)))).toEqual([]);
  });
});

describe('scrolling up past the top message', () => {
  it('shows stored messages first, fetches across a hole, and stops at seq 1', () => {
    const held = new Set([...range(1, 100), ...range(201, 250)]);
    expect(olderStep(held, 240)).toEqual({ kind: 'held' });
    expect(olderStep(held, 201)).toEqual({ kind: 'fetch', before: 201 });
    expect(olderStep(held, 1)).toEqual({ kind: 'start' });
  });
});

describe('the cursor under a window', () => {
  it('moves up to just below the first seq sent, never back', () => {
    expect(cursorUnderWindow(0, 951)).toBe(950);
    expect(cursorUnderWindow(100, 9951)).toBe(9950);
    expect(cursorUnderWindow(980, 951)).toBe(980);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}
