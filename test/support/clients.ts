/** Real HTTP and socket.io-client helpers for tests: sessions, connected sockets, waiting for events. */
import { io, type Socket } from 'socket.io-client';
import { messagesOfPacked } from '../../shared/message-packed';
import { messagesOfRows } from '../../shared/message-rows';
import type {
  ClientToServerEvents,
  Cursors,
  Message,
  PageFormat,
  ServerToClientEvents,
  SessionCreated,
  SyncDone,
} from '../../shared/protocol';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function createSession(url: string, name: string): Promise<SessionCreated> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`POST /api/session answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SessionCreated;
}

export type ConnectOptions = {
  cursors?: Cursors;
  transports?: Array<'websocket' | 'polling'>;
  autoConnect?: boolean;
  /** `auth.pages`: absent for a v1 client. */
  pages?: PageFormat;
};

/** A socket that is not connected yet: attach listeners, then `connectAndWait`. */
export function createSocket(url: string, token: string, options: ConnectOptions = {}): ChatSocket {
  return io(url, {
    auth: { token, cursors: options.cursors ?? {}, ...(options.pages ? { pages: options.pages } : {}) },
    transports: options.transports ?? ['websocket'],
    autoConnect: false,
    reconnection: false,
    forceNew: true,
  });
}

export function connectAndWait(socket: ChatSocket, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.connect();
  });
}

/**
 * Resolves once `sync:done` arrives, with every page received before it: `message:batch`
 * pages, and `message:rows` and `message:packed` pages read back into messages (`rowsPages`
 * and `packedPages` count those).
 */
export async function connectAndCatchUp(url: string, token: string, options: ConnectOptions = {}) {
  const socket = createSocket(url, token, options);
  const batches: Message[][] = [];
  let rowsPages = 0;
  let packedPages = 0;
  socket.on('message:batch', (batch) => batches.push(batch));
  socket.on('message:rows', (page) => {
    rowsPages += 1;
    batches.push(messagesOfRows(page));
  });
  socket.on('message:packed', (page) => {
    packedPages += 1;
    batches.push(messagesOfPacked(page));
  });
  const done = new Promise<SyncDone>((resolve) => socket.once('sync:done', resolve));
  await connectAndWait(socket);
  const syncDone = await done;
  return { socket, batches, messages: batches.flat(), lastSeq: syncDone.lastSeq, done: syncDone, rowsPages, packedPages };
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The cluster worker holding a connected socket, read from its engine.io session id
 * (`k<worker>_…`, see server/process/sticky.ts); null on a single process.
 */
export function workerOf(socket: ChatSocket): number | null {
  const match = /^k(\d+)_/.exec(socket.io.engine?.id ?? '');
  return match ? Number(match[1]) : null;
}

/** Connects with `connect` until a socket lands on a worker `wanted` accepts (round robin gets there in a few tries). */
export async function connectWhere<C extends { socket: ChatSocket }>(
  connect: () => Promise<C>,
  wanted: (worker: number | null) => boolean,
  tries = 10,
): Promise<C> {
  for (let attempt = 0; attempt < tries; attempt++) {
    const client = await connect();
    if (wanted(workerOf(client.socket))) return client;
    client.socket.close();
  }
  throw new Error(`no connection landed on the wanted worker in ${tries} tries`);
}
