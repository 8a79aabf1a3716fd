/** Pure per-room cursor decisions: the cursor only ever covers seqs 1..cursor with no gap. */
import type { Cursors, Message, RoomId } from '../../shared/protocol';

/** Moves the cursor over every consecutive seq we hold; stops at the first hole. */
export function advanceCursor(cursor: number, held: ReadonlySet<number>): number {
  let next = cursor;
  while (held.has(next + 1)) next++;
  return next;
}

/** A live message beyond cursor + 1 means we missed some in between. */
export function opensGap(cursor: number, seq: number): boolean {
  return seq > cursor + 1;
}

/** Seqs held above the cursor after dropping the ones it now covers. */
export function heldAbove(cursor: number, held: Iterable<number>): Set<number> {
  const above = new Set<number>();
  for (const seq of held) if (seq > cursor) above.add(seq);
  return above;
}

export type RoomProgress = { cursor: number; held: ReadonlySet<number> };

/** Applies newly stored seqs to each room: new cursors and whether any room still has a hole. */
export function applySeqs(
  rooms: ReadonlyMap<RoomId, RoomProgress>,
  messages: readonly Pick<Message, 'room' | 'seq'>[],
): { rooms: Map<RoomId, RoomProgress>; changed: Cursors; gap: boolean } {
  const next = new Map(rooms);
  const touched = new Set<RoomId>();
  for (const { room, seq } of messages) {
    const current = next.get(room) ?? { cursor: 0, held: new Set<number>() };
    if (seq <= current.cursor) continue;
    const held = new Set(current.held);
    held.add(seq);
    next.set(room, { cursor: current.cursor, held });
    touched.add(room);
  }
  const changed: Cursors = {};
  let gap = false;
  for (const room of touched) {
    const current = next.get(room);
    if (!current) continue;
    const cursor = advanceCursor(current.cursor, current.held);
    const held = heldAbove(cursor, current.held);
    next.set(room, { cursor, held });
    if (cursor !== rooms.get(room)?.cursor) changed[room] = cursor;
    if (held.size > 0) gap = true;
  }
  return { rooms: next, changed, gap };
}

export function cursorsOf(rooms: ReadonlyMap<RoomId, RoomProgress>): Cursors {
  const cursors: Cursors = {};
  for (const [room, { cursor }] of rooms) cursors[room] = cursor;
  return cursors;
}

/** How many messages a catch-up still has to deliver, from the server's last seqs. */
export function catchUpTotal(cursors: Cursors, lastSeqs: Record<RoomId, number>): number {
  let total = 0;
  for (const [room, lastSeq] of Object.entries(lastSeqs)) total += Math.max(0, lastSeq - (cursors[room] ?? 0));
  return total;
}
