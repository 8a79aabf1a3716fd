/**
 * Bytes on the wire, counted at the TCP socket of each load client: an http.Agent whose
 * connections are plain net sockets we keep, so `bytesRead` / `bytesWritten` say what the
 * WebSocket carried in each direction (frame headers included, TCP/IP headers not).
 * engine.io-client hands its `agent` option to `ws`, which opens the upgrade request with it.
 */
import { Agent } from 'node:http';
import { createConnection, type NetConnectOpts, type Socket } from 'node:net';

export type WireBytes = { read: number; written: number };

/** One client's connections (a reconnect opens a new one); counts survive a socket's close. */
export class WireCounter {
  private readonly sockets: Socket[] = [];
  readonly agent: Agent;

  constructor() {
    const sockets = this.sockets;
    // No keep-alive: every connection is a WebSocket upgrade that the socket then belongs to.
    this.agent = new (class extends Agent {
      override createConnection(options: object): Socket {
        const socket = createConnection(options as NetConnectOpts);
        sockets.push(socket);
        return socket;
      }
    })({ keepAlive: false });
  }

  bytes(): WireBytes {
    let read = 0;
    let written = 0;
    for (const socket of this.sockets) {
      read += socket.bytesRead;
      written += socket.bytesWritten;
    }
    return { read, written };
  }
}

/** Sum of several clients' counts. */
export function totalBytes(counters: ReadonlyArray<WireCounter | undefined>): WireBytes {
  const total = { read: 0, written: 0 };
  for (const counter of counters) {
    if (!counter) continue;
    const { read, written } = counter.bytes();
    total.read += read;
    total.written += written;
  }
  return total;
}

/** `after − before`, per direction. */
export const bytesBetween = (before: WireBytes, after: WireBytes): WireBytes => ({
  read: after.read - before.read,
  written: after.written - before.written,
});
