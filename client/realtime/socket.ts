/** The only io() call: a typed Socket.IO connection that reads fresh auth (token + cursors) on every attempt. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, HandshakeAuth, ServerToClientEvents } from '../../shared/protocol';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type DisconnectReason = Socket.DisconnectReason;

/** Created disconnected; the connection store decides when to connect (it trusts navigator.onLine first). */
export function createChatSocket(auth: () => HandshakeAuth): ChatSocket {
  return io({
    autoConnect: false,
    transports: ['websocket', 'polling'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
    timeout: 10_000,
    auth: (callback) => callback(auth()),
  });
}
