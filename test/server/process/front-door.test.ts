/**
 * The cluster's front door (server/process/sticky.ts) from the outside, with raw
 * TCP sockets against a real 2-worker cluster: a head that never ends, a head
 * split into pieces, a head too large, bytes that are not HTTP, and the
 * per-address connection cap. Whatever one connection does, the others keep working.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectAndCatchUp, connectAndWait, createSession, createSocket, type ChatSocket } from '../../support/clients';
import { useServer, workerPids } from '../../support/server';

type Raw = { socket: Socket; received(): string; closed: Promise<void> };

function openRaw(port: number): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, received: () => received, closed }));
    socket.once('error', reject);
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the front door of the cluster', () => {
  const metricsToken = 'front-door-metrics-token';
  const server = useServer({
    workers: 2,
    env: { CHAT_HEAD_TIMEOUT_MS: '1000', CHAT_MAX_CONNECTIONS_PER_IP: '40', CHAT_METRICS_TOKEN: metricsToken },
  });

  /** Connections the door counts now, besides the scrape asking. */
  async function countedConnections(): Promise<number> {
    const response = await fetch(`${server().url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    const line = (await response.text()).split('\n').find((text) => text.startsWith('chat_connections_open '));
    return Number(line?.split(' ')[1]) - 1;
  }

  it('closes a connection whose head never completes (slowloris) with 408, while others are served', async () => {
    const raw = await openRaw(server().port);
    raw.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    let dripping = true;
    const drip = (async () => {
      // One header byte at a time, each well inside any per-chunk timeout.
      for (let index = 0; dripping && index < 100; index++) {
        if (raw.socket.destroyed) return;
        raw.socket.write('X');
        await pause(100);
      }
    })();
    const healthy = await fetch(`${server().url}/healthz`);
    expect(healthy.status).toBe(200);
    await raw.closed;
    dripping = false;
    await drip;
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('routes a request whose request line and headers arrive split across many chunks', async () => {
    const raw = await openRaw(server().port);
    for (const piece of ['GE', 'T /heal', 'thz HT', 'TP/1.1\r', '\nHost: 127.0.0.1\r\nX-A', ': b\r\n', '\r\n']) {
      raw.socket.write(piece);
      await pause(30);
    }
    await raw.closed;
    expect(raw.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw.received()).toMatch(/x-worker-pid: \d+/i);
  });

  it('refuses a head larger than the cap with 431', async () => {
    const raw = await openRaw(server().port);
    raw.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    await raw.closed;
    expect(raw.received()).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('survives bytes that are not HTTP, and every worker and connected client keeps working', async () => {
    const before = await workerPids(server().url, 2);
    const ana = await createSession(server().url, 'Ana');
    const client = await connectAndCatchUp(server().url, ana.token);
    try {
      const garbage = [
        Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff]), // a TLS hello on a plain port
        Buffer.from('\r\n\r\n'),
        Buffer.from('GET\r\n\r\n'),
        Buffer.from('get / http/1.1\r\n\r\n'),
        Buffer.from(`GET /${'%'.repeat(30_000)} HTTP/1.1\r\n\r\n`),
        Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\0\0\0\r\n\r\n'),
        Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
      ];
      const answers: string[] = [];
      for (const bytes of garbage) {
        const raw = await openRaw(server().port);
        raw.socket.end(bytes);
        await raw.closed;
        answers.push(raw.received().split('\r\n')[0]);
      }
      // Refused at the door (400/431) or by the worker's own parser: never left hanging, never a crash.
      for (const answer of answers) expect(answer).toMatch(/^(HTTP\/1\.1 (400|431|505) |$)/);
      expect(answers.slice(0, 4)).toEqual(Array(4).fill('HTTP/1.1 400 Bad Request'));

      const ack = await client.socket.emitWithAck('message:send', {
        room: 'general',
        clientOffset: 'after-garbage',
        content: 'still here',
      });
      expect(ack.ok).toBe(true);
      expect((await fetch(`${server().url}/healthz`)).status).toBe(200);
      expect(await workerPids(server().url, 2)).toEqual(expect.arrayContaining(before));
      expect(server().output()).not.toMatch(/died/);
    } finally {
      client.socket.close();
    }
  });

  it('caps connections per address, counting those handed to workers, and frees a place when one closes', async () => {
    const ana = await createSession(server().url, 'Ana');
    const sockets: ChatSocket[] = [];
    try {
      // Once the other tests' connections are reported closed, up to the cap every one connects.
      for (let attempt = 0; attempt < 100 && (await countedConnections()) > 0; attempt++) await pause(50);
      expect(await countedConnections()).toBe(0);
      for (let index = 0; index < 40; index++) {
        const socket = createSocket(server().url, ana.token);
        sockets.push(socket);
        await connectAndWait(socket).catch((error: Error) => {
          throw new Error(`socket ${index}: ${error.message}`);
        });
      }
      // One more is refused at the door, before any worker sees it.
      const raw = await openRaw(server().port);
      await raw.closed;
      expect(raw.received()).toMatch(/^HTTP\/1\.1 503 /);
      expect((await fetch(`${server().url}/healthz`)).status).toBe(503);

      // A worker reports each close: places come back.
      sockets.splice(0, 5).forEach((socket) => socket.close());
      let status = 0;
      for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
        status = (await fetch(`${server().url}/healthz`)).status;
        if (status !== 200) await pause(50);
      }
      expect(status).toBe(200);
    } finally {
      sockets.forEach((socket) => socket.close());
    }
  });
});
