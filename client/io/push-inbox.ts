/**
 * The service worker's side of a push (#16) on the device: the message written into IndexedDB as
 * if it had arrived over the socket, the rooms list (for counts and the badge) kept up to date,
 * and the room to open when the notification is tapped.
 */
import type { PushedMessage } from '../../shared/push';
import type { RoomId } from '../../shared/protocol';
import { roomsAfterMessage, roomsAfterRead } from '../logic/push-logic';
import type { RoomEntry } from '../logic/room-logic';
import { fromServer } from '../logic/timeline-logic';
import { loadCursors, loadRooms, saveCurrentRoom, saveRooms, storeServerMessages } from './db';

/**
 * Stores the pushed message; the room's cursor moves only when the message follows it directly
 * (a cursor means "everything up to here is on the device", and a push may skip messages).
 * Returns the rooms list after it.
 */
export async function storePushedMessage(message: PushedMessage): Promise<RoomEntry[]> {
  const cursors = await loadCursors();
  const held = cursors[message.room] ?? 0;
  const cursor = held === message.seq - 1 ? { [message.room]: message.seq } : {};
  await storeServerMessages([fromServer(message)], cursor, []);
  const rooms = roomsAfterMessage(await loadRooms(), message.room, message.seq);
  await saveRooms(rooms);
  return rooms;
}

/** Notes the room only (a message cut to fit a push is shown, never stored as the message). */
export async function notePushedSeq(room: RoomId, seq: number): Promise<RoomEntry[]> {
  const rooms = roomsAfterMessage(await loadRooms(), room, seq);
  await saveRooms(rooms);
  return rooms;
}

export async function notePushedRead(room: RoomId, seq: number): Promise<RoomEntry[]> {
  const rooms = roomsAfterRead(await loadRooms(), room, seq);
  await saveRooms(rooms);
  return rooms;
}

/** The app opens on this room next time it starts. */
export const openRoomNext = (room: RoomId): Promise<void> => saveCurrentRoom(room);
