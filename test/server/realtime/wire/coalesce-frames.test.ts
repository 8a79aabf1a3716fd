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

it('writes a burst of 200 events to a socket in a few writes, in order', async () => {
  const client = connect(url, { transports: ['websocket'], forceNew: true });
  const received: number[] = [];
  const all = new Promise<void>((resolve) =>
    client.on('n', (n: number) => {
      received.push(n);
      if (received.length === 200) resolve();
    }),
  );
  const [socket] = await Promise.all([
    new Promise<import('socket.io').Socket>((resolve) => io.once('connection', resolve)),
    new Promise<void>((resolve) => client.once('connect', () => resolve())),
  ]);

  const tcp = (socket.conn as unknown as { transport: { socket: { _socket: RawSocket } } }).transport.socket._socket;
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = tcp[method].bind(tcp);
    tcp[method] = (...args: unknown[]) => {
      writes += 1;
      return original(...args);
    };
  }
  for (let n = 0; n < 200; n++) socket.emit('n', n);
  await all;

  expect(received).toEqual(Array.from({ length: 200 }, (_, n) => n));
  // The first frame goes out alone while the rest queue behind it; the rest leave together.
  expect(writes).toBeLessThanOrEqual(3);
  client.disconnect();
});
