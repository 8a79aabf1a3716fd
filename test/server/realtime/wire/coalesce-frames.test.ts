/**
 * A burst of packets flushed to one WebSocket reaches the kernel in one write,
 * as the same frames in the same order.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { afterAll, expect, it } from 'vitest';
import { coalesceWebSocketFrames } from '../../../../server/realtime/wire/coalesce-frames';

coalesceWebSocketFrames();
const httpServer = createServer();
const io = new Server(httpServer);
await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
afterAll(async () => {
  await new Promise<void>((resolve) => io.close(() => resolve()));
});

type RawSocket = { _write: (...args: unknown[]) => unknown; _writev: (...args: unknown[]) => unknown };
type ServerSocket = import('socket.io').Socket;

/** A WebSocket client, and the server's socket for it once both sides are connected. */
async function connectPair(): Promise<{ client: ReturnType<typeof connect>; socket: ServerSocket }> {
  const client = connect(url, { transports: ['websocket'], forceNew: true });
  const [socket] = await Promise.all([
    new Promise<ServerSocket>((resolve) => io.once('connection', resolve)),
    new Promise<void>((resolve) => client.once('connect', () => resolve())),
  ]);
  return { client, socket };
}

/** Counts the server socket's writes to its TCP socket from now on. */
function countWrites(socket: ServerSocket): () => number {
  const tcp = (socket.conn as unknown as { transport: { socket: { _socket: RawSocket } } }).transport.socket._socket;
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = tcp[method].bind(tcp);
    tcp[method] = (...args: unknown[]) => {
      writes += 1;
      return original(...args);
    };
  }
  return () => writes;
}

/** Resolves with the first `count` events the client receives, by name and argument. */
function receive(client: ReturnType<typeof connect>, count: number): Promise<unknown[][]> {
  const received: unknown[][] = [];
  return new Promise((resolve) =>
    client.onAny((...event: unknown[]) => {
      received.push(event);
      if (received.length === count) resolve(received);
    }),
  );
}

it('writes a burst of 200 events to a socket in one write, in order', async () => {
  const { client, socket } = await connectPair();
  const all = receive(client, 200);
  const writes = countWrites(socket);
  for (let n = 0; n < 200; n++) socket.emit('n', n);

  expect(await all).toEqual(Array.from({ length: 200 }, (_, n) => ['n', n]));
  // All of a turn's packets leave in one flush, and the flush in one write.
  expect(writes()).toBe(1);
  client.disconnect();
});

it('sends what a promise chain emits within one turn in one write, and the next turn in another', async () => {
  const { client, socket } = await connectPair();
  const all = receive(client, 4);
  const writes = countWrites(socket);
  // As a connection's answer is made: an emit, awaited reads (settled promises), more emits.
  socket.emit('a');
  await Promise.resolve();
  socket.emit('b');
  await Promise.resolve();
  socket.emit('c');
  await new Promise((resolve) => setImmediate(resolve));
  expect(writes()).toBe(1);
  socket.emit('d');

  expect(await all).toEqual([['a'], ['b'], ['c'], ['d']]);
  expect(writes()).toBe(2);
  client.disconnect();
});

it('still sends the last packets before a server-side disconnect closes the connection', async () => {
  const { client, socket } = await connectPair();
  const got = new Promise<unknown>((resolve) => client.once('bye', resolve));
  const reason = new Promise<string>((resolve) => client.once('disconnect', resolve));
  socket.emit('bye', 42);
  socket.disconnect(true);
  expect(await got).toBe(42);
  expect(await reason).toBe('io server disconnect');
});
