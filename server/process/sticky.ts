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
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { ipcMessage, type IpcMessage } from './ipc';

/**
 * Session ids carry their worker: `k<workerId>_<random>`. Routing needs no shared
 * table, so no race between a worker announcing a session and the client's next
 * request reaching the primary first.
 */
const SID_OWNER = /[?&]sid=k(\d+)_/;

function sessionIdFor(workerId: number): string {
  return `k${workerId}_${randomBytes(15).toString('base64url')}`;
}

/** Primary side: the net server that routes every connection to a worker. */
export function createStickyRouter(readyWorkers: () => Worker[], workerById: (id: number) => Worker | undefined): Server {
  let next = 0;

  function pick(firstLine: string): Worker | undefined {
    const owner = SID_OWNER.exec(firstLine);
    const worker = owner ? workerById(Number(owner[1])) : undefined;
    if (worker && !worker.isDead()) return worker;
    // New sessions (and those of a worker that died, which engine.io will then refuse) go round robin.
    const workers = readyWorkers();
    if (workers.length === 0) return undefined;
    next = (next + 1) % workers.length;
    return workers[next];
  }

  return createServer({ pauseOnConnect: true }, (socket: Socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      stopReading(socket);
      const firstLine = chunk.subarray(0, Math.min(chunk.length, 2048)).toString('latin1').split('\r\n', 1)[0];
      const worker = pick(firstLine);
      if (!worker) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n');
        return;
      }
      // keepOpen, then close our copy once written: the fd in flight is the worker's now, and if
      // that worker dies first the kernel resets the connection instead of leaving it hanging here.
      worker.send({ type: 'sticky:connection', data: chunk.toString('base64') } satisfies IpcMessage, socket, { keepOpen: true }, () =>
        socket.destroy(),
      );
    });
    socket.resume();
  });
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

type EngineLike = { generateId: (req: IncomingMessage) => string | PromiseLike<string> };

/** Worker side: accept connections the primary hands over, and mint session ids it can route. */
export function acceptStickyConnections(httpServer: HttpServer, engine: EngineLike, workerId: number): void {
  engine.generateId = () => sessionIdFor(workerId);
  process.on('message', (message: unknown, handle: unknown) => {
    const connection = ipcMessage(message, 'sticky:connection');
    if (!connection) return;
    const socket = handle as Socket | undefined;
    if (!socket) return; // closed by the client while in transit
    httpServer.emit('connection', socket);
    socket.emit('data', Buffer.from(connection.data, 'base64'));
    socket.resume();
  });
  // A kept-alive connection would carry later requests of other sessions to this worker.
  httpServer.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
}
