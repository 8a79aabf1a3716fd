/**
 * Typing indicators: relayed to the room's other members only (never to any of
 * the typist's own sockets), throttled per user and room, and ended by the server
 * when the typist goes quiet or disconnects, so no one is left "typing…" forever.
 */
import type { RoomId } from '../../shared/protocol';
import { roomChannel, userChannel } from './channels';
import type { ChatServer, ChatSocket } from './types';

export type TypingOptions = { throttleMs?: number; expireMs?: number };

export type TypingRelay = {
  update(socket: ChatSocket, room: RoomId, typing: boolean): void;
  disconnected(socket: ChatSocket): void;
};

type Active = { socketId: string; relayedAt: number; expiry: NodeJS.Timeout };

export function createTypingRelay(io: ChatServer, options: TypingOptions = {}): TypingRelay {
  const { throttleMs = 2000, expireMs = 6000 } = options;
  const active = new Map<string, Active>();

  function relay(socket: ChatSocket, room: RoomId, typing: boolean): void {
    const user = socket.data.user;
    io.to(roomChannel(room)).except(userChannel(user.id)).emit('typing', { room, user, typing });
  }

  function stop(socket: ChatSocket, room: RoomId): void {
    const key = `${socket.data.user.id} ${room}`;
    const entry = active.get(key);
    if (!entry) return;
    clearTimeout(entry.expiry);
    active.delete(key);
    relay(socket, room, false);
  }

  return {
    update(socket, room, typing) {
      // Only rooms this socket follows: no typing into DMs of others or rooms never joined.
      if (!socket.rooms.has(roomChannel(room))) return;
      if (!typing) return stop(socket, room);
      const key = `${socket.data.user.id} ${room}`;
      const entry = active.get(key);
      const now = Date.now();
      if (entry) clearTimeout(entry.expiry);
      const expiry = setTimeout(() => stop(socket, room), expireMs);
      if (entry && now - entry.relayedAt < throttleMs) {
        active.set(key, { ...entry, socketId: socket.id, expiry });
        return;
      }
      active.set(key, { socketId: socket.id, relayedAt: now, expiry });
      relay(socket, room, true);
    },
    disconnected(socket) {
      const prefix = `${socket.data.user.id} `;
      for (const [key, entry] of active) {
        if (key.startsWith(prefix) && entry.socketId === socket.id) stop(socket, key.slice(prefix.length));
      }
    },
  };
}
