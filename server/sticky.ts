/**
 * Sticky routing for the cluster. The primary owns the listening socket, reads
 * the first chunk of each connection to find an engine.io `sid`, and hands the
 * connection to the worker that owns that session (round robin for new ones),
 * so HTTP long-polling keeps hitting the same worker.
 *
 * Why not @socket.io/sticky: after reading the first chunk it keeps the socket
 * reading in the primary while the handle travels to the worker; bytes read in
 * that window (a WebSocket client's CONNECT packet) are dropped, leaving a few
 * percent of connects hanging. Here reading stops in the same tick as the first
 * chunk, so every later byte waits in the kernel for the worker.
 */
import type { Worker } from 'node:cluster';
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

type StickyMessage =
  | { type: 'sticky:connection'; data: string }
  | { type: 'sticky:bind'; sid: string }
  | { type: 'sticky:unbind'; sid: string };

const SID_PATTERN = /[?&]sid=([\w-]{20})/;

export function isStickyMessage(message: unknown): message is StickyMessage {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && (message as { type: string }).type.startsWith('sticky:');
}

/** Primary side: the net server that routes every connection to a worker. */
export function createStickyRouter(readyWorkers: () => Worker[]): { server: Server; bind(worker: Worker, message: StickyMessage): void; forget(worker: Worker): void } {
  const owners = new Map<string, Worker>();
  let next = 0;

  function pick(firstLine: string): Worker | undefined {
    const sid = SID_PATTERN.exec(firstLine)?.[1];
    const owner = sid ? owners.get(sid) : undefined;
    if (owner && !owner.isDead()) return owner;
    const workers = readyWorkers();
    if (workers.length === 0) return undefined;
    next = (next + 1) % workers.length;
    return workers[next];
  }

  const server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      stopReading(socket);
      const firstLine = chunk.subarray(0, Math.min(chunk.length, 2048)).toString('latin1').split('\r\n', 1)[0];
      const worker = pick(firstLine);
      if (!worker) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n');
        return;
      }
      worker.send({ type: 'sticky:connection', data: chunk.toString('base64') } satisfies StickyMessage, socket, { keepOpen: false }, (error) => {
        if (error) socket.destroy();
      });
    });
    socket.resume();
  });

  return {
    server,
    bind(worker, message) {
      if (message.type === 'sticky:bind') owners.set(message.sid, worker);
      else if (message.type === 'sticky:unbind' && owners.get(message.sid) === worker) owners.delete(message.sid);
    },
    forget(worker) {
      for (const [sid, owner] of owners) if (owner === worker) owners.delete(sid);
    },
  };
}

/** Stops libuv reading now, not when the stream buffer fills: see the file comment. */
function stopReading(socket: Socket): void {
  socket.pause();
  const handle = (socket as unknown as { _handle?: { readStop?: () => number; reading?: boolean } })._handle;
  if (handle?.readStop) {
    handle.reading = false;
    handle.readStop();
  }
}

type EngineLike = { on(event: 'connection', listener: (socket: { id: string; once(event: 'close', listener: () => void): void }) => void): void };

/** Worker side: accept connections the primary hands over, and tell it which sessions live here. */
export function acceptStickyConnections(httpServer: HttpServer, engine: EngineLike): void {
  process.on('message', (message: unknown, handle: unknown) => {
    if (!isStickyMessage(message) || message.type !== 'sticky:connection') return;
    const socket = handle as Socket | undefined;
    if (!socket) return; // closed by the client while in transit
    httpServer.emit('connection', socket);
    socket.emit('data', Buffer.from(message.data, 'base64'));
    socket.resume();
  });
  // A kept-alive connection would carry later requests of other sessions to this worker.
  httpServer.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
  engine.on('connection', (rawSocket) => {
    const sid = rawSocket.id;
    process.send?.({ type: 'sticky:bind', sid } satisfies StickyMessage);
    rawSocket.once('close', () => process.send?.({ type: 'sticky:unbind', sid } satisfies StickyMessage));
  });
}
