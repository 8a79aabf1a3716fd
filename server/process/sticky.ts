/**
 * Sticky routing for the cluster, and the front door: the primary owns the
 * listening socket, reads each connection's request head (request line and
 * headers, across as many chunks as it takes), and hands the connection to the
 * worker that owns its engine.io session (session-ids.ts: only a session id the
 * worker really minted picks it), round robin otherwise, so HTTP long-polling
 * keeps hitting the same worker.
 *
 * What the door refuses before any worker sees a byte: a head not complete
 * within `headTimeoutMs` (408, slowloris), larger than `maxHeaderBytes` (431),
 * bytes that are not HTTP (400), and connections over the global or per-address
 * cap (503). A fault while routing one connection closes that connection only.
 *
 * Why not @socket.io/sticky: after reading the first chunk it keeps the socket
 * reading in the primary while the handle travels to the worker; bytes read in
 * that window (a WebSocket client's CONNECT packet) are dropped, leaving a few
 * percent of connects hanging. Here reading stops in the same tick as the head
 * completes, so every later byte waits in the kernel for the worker.
 */
import type { Worker } from 'node:cluster';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { Config } from '../config';
import { log } from '../observe/log';
import { metrics } from '../observe/metrics';
import { createConnectionTally, type ConnectionTally } from './connection-tally';
import { ipcMessage, type IpcMessage } from './ipc';
import { readHead } from './request-head';
import { mintSessionId, sessionOwner, unroutedSessionId } from './session-ids';

export type DoorConfig = Pick<Config, 'headTimeoutMs' | 'maxHeaderBytes' | 'maxConnections' | 'maxConnectionsPerAddress'>;

export type StickyRouter = {
  server: Server;
  tally: ConnectionTally;
  /** Call with every message a worker sends: it reports the connections it closed. */
  fromWorker(worker: Worker, message: unknown): void;
  /** Call when a worker exits: its connections are gone. */
  workerGone(worker: Worker): void;
};

const REASONS = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large', 503: 'Service Unavailable' };

/** Answers and closes; the peer may have stopped reading, so the close does not wait for it forever. */
function refuse(socket: Socket, status: keyof typeof REASONS): void {
  if (socket.destroyed) return;
  metrics.frontDoorRefusals.inc({ status });
  const retry = status === 503 ? 'Retry-After: 1\r\n' : '';
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Length: 0\r\n${retry}\r\n`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Primary side: the net server that routes every connection to a worker. */
export function createStickyRouter(
  door: DoorConfig,
  key: Buffer,
  readyWorkers: () => Worker[],
  workerById: (id: number) => Worker | undefined,
  /** Requests the primary answers itself (GET /metrics with its token): true when answered. */
  answeredHere: (requestLine: string, head: string, socket: Socket) => boolean = () => false,
): StickyRouter {
  const tally = createConnectionTally(door);
  let next = 0;

  function pick(requestLine: string): Worker | undefined {
    const owner = sessionOwner(key, requestLine);
    const worker = owner === undefined ? undefined : workerById(owner);
    if (worker && !worker.isDead()) return worker;
    // New sessions (and those of a worker that died, which engine.io will then refuse) go round robin.
    const workers = readyWorkers();
    if (workers.length === 0) return undefined;
    next = (next + 1) % workers.length;
    return workers[next];
  }

  function admit(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    if (!tally.open(address)) return refuse(socket, 503);
    let held = true; // counted here until handed to a worker
    let read: Buffer[] = [];
    let readBytes = 0;
    const release = () => {
      if (held) tally.close(address);
      held = false;
    };
    const timer = setTimeout(() => {
      stopReading(socket);
      refuse(socket, 408);
    }, door.headTimeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      release();
    });

    const onData = (chunk: Buffer) => {
      read.push(chunk);
      readBytes += chunk.length;
      const bytes = read.length === 1 ? chunk : Buffer.concat(read, readBytes);
      read = [bytes];
      const head = readHead(bytes, door.maxHeaderBytes);
      if (head.state === 'partial') return;
      stopReading(socket);
      socket.off('data', onData);
      clearTimeout(timer);
      if (head.state === 'refused') return refuse(socket, head.status);
      if (answeredHere(head.requestLine, bytes.toString('latin1'), socket)) return;
      const worker = pick(head.requestLine);
      if (!worker) return refuse(socket, 503);
      handOff(socket, worker, bytes, address, () => {
        held = false;
      });
    };
    socket.on('data', onData);
    socket.resume();
  }

  function handOff(socket: Socket, worker: Worker, bytes: Buffer, address: string, handed: () => void): void {
    // A paused stream still reads ahead to its high-water mark (Readable's maybeReadMore, on the
    // next tick), which restarted reading here and took bytes after the head from the kernel before
    // the worker had the socket: a large request body (an upload chunk) lost up to 64 KB and hung.
    // Our copy of the socket never asks for more: every later byte is the worker's.
    socket._read = () => undefined;
    const message: IpcMessage = { type: 'sticky:connection', data: bytes.toString('base64'), address };
    // Counted in the worker from now: it reports the close. If the send fails, the close here releases it.
    tally.handedTo(worker.id, address);
    handed();
    const failed = () => {
      tally.closedIn(worker.id, address);
      socket.destroy();
    };
    try {
      // keepOpen, then close our copy once written: the fd in flight is the worker's now, and if
      // that worker dies first the kernel resets the connection instead of leaving it hanging here.
      worker.send(message, socket, { keepOpen: true }, (error) => (error ? failed() : socket.destroy()));
    } catch {
      failed();
    }
  }

  const server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    socket.on('error', () => socket.destroy());
    try {
      admit(socket);
    } catch (error) {
      // A fault in routing one connection is that connection's end, never the cluster's.
      log.error({ err: error }, 'sticky router: a connection could not be routed');
      socket.destroy();
    }
  });

  return {
    server,
    tally,
    fromWorker(worker, message) {
      const closed = ipcMessage(message, 'sticky:closed');
      if (closed) tally.closedIn(worker.id, closed.address);
    },
    workerGone: (worker) => tally.workerGone(worker.id),
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

type EngineLike = { generateId: (req: IncomingMessage) => string | PromiseLike<string> };

/** The query engine.io parsed onto the request before it asks for an id. */
const requestQuery = (req: IncomingMessage): { transport?: unknown } | undefined => (req as { _query?: { transport?: unknown } })._query;

/** Worker side: accept connections the primary hands over, mint session ids it can route, report closes. */
export function acceptStickyConnections(httpServer: HttpServer, engine: EngineLike, workerId: number, key: Buffer): void {
  // Only an HTTP long-polling session is ever routed by its id: a client that opens with WebSocket
  // sends every later byte on that one connection. Its id needs no mac (an HMAC per connection was
  // 4% of a worker's time in a connection storm), only to be unguessable.
  engine.generateId = (req) => (requestQuery(req)?.transport === 'websocket' ? unroutedSessionId(workerId) : mintSessionId(key, workerId));
  const reportClosed = (address: string) => {
    if (process.connected) process.send?.({ type: 'sticky:closed', address } satisfies IpcMessage);
  };
  process.on('message', (message: unknown, handle: unknown) => {
    const connection = ipcMessage(message, 'sticky:connection');
    if (!connection) return;
    const socket = handle as Socket | undefined;
    // Closed by the client while in transit.
    if (!socket) return reportClosed(connection.address);
    socket.once('close', () => reportClosed(connection.address));
    httpServer.emit('connection', socket);
    socket.emit('data', Buffer.from(connection.data, 'base64'));
    socket.resume();
  });
  // A kept-alive connection would carry later requests of other sessions to this worker.
  httpServer.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
}
