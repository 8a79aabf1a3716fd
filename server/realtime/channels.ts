/** Names of the Socket.IO rooms that carry live events: one per chat room, one per user (all their sockets, every worker). */
import type { RoomId } from '../../shared/protocol';

export const roomChannel = (room: RoomId): string => `r:${room}`;
export const userChannel = (userId: string): string => `u:${userId}`;
/** Every socket of one session (a signed-in device), so signing it out reaches them all. */
export const sessionChannel = (sessionId: string): string => `s:${sessionId}`;
/** The sockets that get `presence:delta` instead of full lists ('delta', and 'bounded' ones holding a list). */
export const PRESENCE_DELTA_CHANNEL = 'presence:delta';
/** The sockets that connected with `auth.presence: 'bounded'`: counts instead of names in a crowd. */
export const PRESENCE_BOUNDED_CHANNEL = 'presence:bounded';
