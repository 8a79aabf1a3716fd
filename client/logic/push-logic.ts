/**
 * What the service worker does with a push (#16), as plain decisions: reading the payload
 * (checked, though it came encrypted with our keys), the rooms list after it, the badge count, and
 * the words of the one notification per room ("3 new messages in #design").
 */
import type { PushPayload } from '../../shared/push';
import type { RoomId } from '../../shared/protocol';
import { isDmRoom } from '../../shared/limits';
import { roomName, type RoomEntry } from './room-logic';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The payload if it has the shape the server sends, else null (ignored). */
export function readPushPayload(data: unknown): PushPayload | null {
  if (!isObject(data)) return null;
  if (data.kind === 'read')
    return typeof data.room === 'string' && isCount(data.seq) ? { kind: 'read', room: data.room, seq: data.seq } : null;
  if (data.kind !== 'message' || !isObject(data.message)) return null;
  const { id, room, seq, author, clientOffset, content, ts } = data.message;
  if (
    !isCount(id) ||
    typeof room !== 'string' ||
    !isCount(seq) ||
    typeof clientOffset !== 'string' ||
    typeof content !== 'string' ||
    !isCount(ts)
  )
    return null;
  if (!isObject(author) || typeof author.id !== 'string' || typeof author.name !== 'string') return null;
  const handle = typeof author.handle === 'string' ? { handle: author.handle } : {};
  return {
    kind: 'message',
    message: { id, room, seq, clientOffset, content, ts, author: { id: author.id, name: author.name, ...handle } },
    complete: data.complete === true,
    mention: data.mention === true,
  };
}

/** The rooms list once `room` is known to reach `seq` (a room not listed yet is added, unread). */
export function roomsAfterMessage(rooms: readonly RoomEntry[], room: RoomId, seq: number): RoomEntry[] {
  if (!rooms.some((entry) => entry.id === room)) return [...rooms, pushedRoom(room, seq, 0)];
  return rooms.map((entry) => (entry.id === room && entry.lastSeq < seq ? { ...entry, lastSeq: seq } : entry));
}

/** A room's entry when nothing is known of it but this one message (the rooms list could not be read). */
export function lonePushedRoom(room: RoomId, seq: number): RoomEntry {
  return pushedRoom(room, seq, seq - 1);
}

function pushedRoom(room: RoomId, lastSeq: number, readSeq: number): RoomEntry {
  return { id: room, lastSeq, readSeq, kind: isDmRoom(room) ? 'dm' : 'public' };
}

/** The rooms list once `room` was read up to `seq` on another device. */
export function roomsAfterRead(rooms: readonly RoomEntry[], room: RoomId, seq: number): RoomEntry[] {
  return rooms.map((entry) =>
    entry.id === room && entry.readSeq < seq ? { ...entry, readSeq: seq, lastSeq: Math.max(entry.lastSeq, seq) } : entry,
  );
}

export function unreadOf(entry: RoomEntry): number {
  return Math.max(0, entry.lastSeq - entry.readSeq);
}

/** The app badge: unread messages over every room. */
export function unreadTotal(rooms: readonly RoomEntry[]): number {
  return rooms.reduce((total, entry) => total + unreadOf(entry), 0);
}

/** The notification of a room: its name, and either the message or how many are waiting, with the newest. */
export function notificationText(entry: RoomEntry, payload: Extract<PushPayload, { kind: 'message' }>): { title: string; body: string } {
  const name = entry.peer ? entry.peer.name : isDmRoom(entry.id) ? payload.message.author.name : `#${roomName(entry)}`;
  const unread = unreadOf(entry);
  const line = `${payload.message.author.name}: ${payload.message.content}`;
  if (unread <= 1) return { title: name, body: line };
  return { title: `${unread} new messages in ${name}`, body: line };
}

/** The service worker's word to an open window after a notification tap: open `room` at `seq` (0: its bottom). */
export type OpenRoom = { type: 'OPEN_ROOM'; room: RoomId; seq: number };

/** The room and seq of an `OPEN_ROOM` message from the service worker, or null for any other message. */
export function readOpenRoom(data: unknown): { room: RoomId; seq: number } | null {
  if (!isObject(data) || data.type !== 'OPEN_ROOM' || typeof data.room !== 'string') return null;
  return { room: data.room, seq: isCount(data.seq) ? data.seq : 0 };
}
