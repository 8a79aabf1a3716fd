/**
 * Resolves once the TCP connections under the engine's WebSocket clients have
 * closed: a graceful stop waits for the close handshake before the process exits.
 *
 * Socket.IO's close() answers when the http server has closed, and a cluster
 * worker's server never listened (the primary hands it connections), so it
 * answered at once and the worker exited with its close frames still going out.
 * A process that exits with unread bytes on a connection (a client still sending)
 * makes the kernel reset it, and a reset throws away what the client had not yet
 * read: acks written just before, 7 to 11 runs in 150 of the SIGTERM test under
 * CPU load. Taken before io.close(), which empties the engine's client list.
 */
import { once } from 'node:events';
import type { Socket as TcpSocket } from 'node:net';
import type { ChatServer } from '../types';

/** What is read here of engine.io's internals: its client list is protected, and a WebSocket transport keeps its ws in `socket`. */
type Engine = { clients: Record<string, { transport: { socket?: { _socket?: TcpSocket } } }> };

export function webSocketsClosed(io: ChatServer): Promise<void> {
  const open = Object.values((io.engine as unknown as Engine).clients)
    .map((client) => client.transport.socket?._socket)
    .filter((socket): socket is TcpSocket => socket !== undefined && !socket.destroyed);
  return Promise.all(open.map((socket) => once(socket, 'close'))).then(() => undefined);
}
