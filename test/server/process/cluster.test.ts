import { describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/protocol';
import { connectAndCatchUp, connectAndWait, createSession, createSocket, waitFor, type ChatSocket } from '../../support/clients';
import { useServer } from '../../support/server';

describe('the 2-worker cluster', () => {
  const server = useServer({ workers: 2 });

  it('spreads HTTP over both workers', async () => {
    const pids = new Set<string>();
    for (let index = 0; index < 10; index++) pids.add((await fetch(`${server().url}/healthz`)).headers.get('x-worker-pid') ?? '');
    expect(pids.size).toBe(2);
  });

  it('connects 400 WebSocket-only clients without one hanging, and each gets its catch-up', async () => {
    const ana = await createSession(server().url, 'Ana');
    const sockets: ChatSocket[] = [];
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 400 }, async () => {
          const socket = createSocket(server().url, ana.token, { transports: ['websocket'] });
          sockets.push(socket);
          const synced = new Promise((resolve) => socket.once('sync:done', resolve));
          await connectAndWait(socket, 15_000);
          await synced;
        }),
      );
      const failed = results.filter((result) => result.status === 'rejected');
      expect(failed.length, `${failed.length} of 400 connects failed`).toBe(0);
    } finally {
      sockets.forEach((socket) => socket.close());
    }
  });

  it('keeps HTTP long-polling sessions on their worker (polling only, and polling upgraded to WebSocket)', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const pollers = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        connectAndCatchUp(server().url, index % 2 ? ana.token : bob.token, {
          transports: index < 3 ? ['polling'] : ['polling', 'websocket'],
        }),
      ),
    );
    const received = pollers.map(() => [] as Message[]);
    pollers.forEach((poller, index) => poller.socket.on('message:new', (message) => received[index].push(message)));
    const acks = await Promise.all(
      pollers.map((poller, index) =>
        poller.socket.emitWithAck('message:send', { room: 'general', clientOffset: `poll-${index}`, content: `from poller ${index}` }),
      ),
    );
    expect(acks.every((ack) => ack.ok)).toBe(true);
    await waitFor(
      () => received.every((list) => list.filter((message) => message.clientOffset.startsWith('poll-')).length === 6),
      10_000,
      'all polled deliveries',
    );
    pollers.forEach((poller) => poller.socket.close());
  });

  it('lets clients on different workers see each other', async () => {
    // Round robin puts consecutive connections on alternating workers.
    const people = await Promise.all(['Ana', 'Bob', 'Cy', 'Di'].map((name) => createSession(server().url, name)));
    const clients = [];
    for (const person of people) clients.push(await connectAndCatchUp(server().url, person.token));
    const received = clients.map(() => [] as Message[]);
    clients.forEach((client, index) => client.socket.on('message:new', (message) => received[index].push(message)));
    for (const [index, client] of clients.entries()) {
      await client.socket.emitWithAck('message:send', {
        room: 'general',
        clientOffset: `x-${index}`,
        content: `hi from ${people[index].user.name}`,
      });
    }
    await waitFor(
      () => received.every((list) => list.filter((message) => message.clientOffset.startsWith('x-')).length === 4),
      10_000,
      'cross-worker delivery',
    );
    clients.forEach((client) => client.socket.close());
  });

  it('replaces a worker that dies', async () => {
    const before = new Set<string>();
    for (let index = 0; index < 6; index++) before.add((await fetch(`${server().url}/healthz`)).headers.get('x-worker-pid') ?? '');
    const [victim] = [...before];
    process.kill(Number(victim), 'SIGKILL');
    const after = new Set<string>();
    const deadline = Date.now() + 15_000;
    while (after.size < 2 && Date.now() < deadline) {
      try {
        const response = await fetch(`${server().url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) after.add(response.headers.get('x-worker-pid') ?? '');
      } catch {
        // the connection may land on the dying worker
      }
    }
    expect(after.size, server().output()).toBe(2);
    expect(after.has(victim)).toBe(false);
  });
});
