/**
 * Which seqs of a room the device holds, as ranges, so it knows every hole: below what it holds
 * (older messages it never fetched, or evicted) and inside (a long time offline, a capped catch-up).
 * Seqs start at 1 and are gap-free on the server, so anything not held between 1 and the newest is a hole.
 */

/** An inclusive run of held seqs. */
export type SeqRange = { from: number; to: number };

/** The runs of consecutive seqs among `seqs` (any order, duplicates allowed), lowest first. */
export function heldRanges(seqs: Iterable<number>): SeqRange[] {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const ranges: SeqRange[] = [];
  for (const seq of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && seq === last.to + 1) last.to = seq;
    else ranges.push({ from: seq, to: seq });
  }
  return ranges;
}

/** What is missing below and between the held ranges (nothing above the newest: that is the cursor's business). */
export function holesIn(ranges: readonly SeqRange[]): SeqRange[] {
  const holes: SeqRange[] = [];
  let next = 1;
  for (const range of ranges) {
    if (range.from > next) holes.push({ from: next, to: range.from - 1 });
    next = range.to + 1;
  }
  return holes;
}

/**
 * What scrolling up past the message `topSeq` should do: show more of what the device holds (`held`),
 * fetch the page before it (`fetch`), or nothing, at the start of the conversation (`start`).
 */
export type OlderStep = { kind: 'held' } | { kind: 'fetch'; before: number } | { kind: 'start' };

export function olderStep(held: ReadonlySet<number>, topSeq: number): OlderStep {
  if (topSeq <= 1) return { kind: 'start' };
  if (held.has(topSeq - 1)) return { kind: 'held' };
  return { kind: 'fetch', before: topSeq };
}

/**
 * The cursor after the server sent a room only its newest messages from `firstSeqSent`: everything
 * below is a known hole ("load older"), not a gap for `sync` to repair, so the cursor starts under it.
 */
export function cursorUnderWindow(cursor: number, firstSeqSent: number): number {
  return Math.max(cursor, firstSeqSent - 1);
}
