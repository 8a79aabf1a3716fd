/** Pure per-room cursor decisions: the cursor only ever covers seqs 1..cursor with no gap. */
import { DEFAULT_CATCHUP_CAP, DEFAULT_HISTORY_WINDOW } from '../../shared/limits';
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

export type ReplayLimits = { window: number; cap: number };

/**
 * How many messages a catch-up will deliver, from the server's last seqs: everything after a room's
 * cursor, but a room without one gets only its newest `window`, and one further behind than `cap`
 * its newest window too (the server's rule, docs/protocol.md), so the banner counts what arrives.
 */
export function catchUpTotal(
  cursors: Cursors,
  lastSeqs: Record<RoomId, number>,
  limits: ReplayLimits = { window: DEFAULT_HISTORY_WINDOW, cap: DEFAULT_CATCHUP_CAP },
): number {
  let total = 0;
  for (const [room, lastSeq] of Object.entries(lastSeqs)) {
    const explicit = Object.hasOwn(cursors, room);
    const behind = Math.max(0, lastSeq - (explicit ? cursors[room] : 0));
    const newest = limits.window > 0 ? limits.window : limits.cap;
    if (!explicit && limits.window > 0) total += Math.min(behind, limits.window);
    else if (behind > limits.cap) total += Math.min(behind, newest);
    else total += behind;
  }
  return total;
}

/**
 * The `sync` for one room: after our cursor when we hold some of it, else (`rooms`, extension) its
 * newest window as on a first sync, rather than its whole history from seq 0.
 */
export function roomSyncOf(cursors: Cursors, room: RoomId): { cursors: Cursors; rooms?: RoomId[] } {
  const cursor = Object.hasOwn(cursors, room) ? cursors[room] : 0;
  return cursor > 0 ? { cursors: { [room]: cursor } } : { cursors: {}, rooms: [room] };
}
