/**
 * The SQLite cluster as npm start runs it (a primary that routes and commits, two
 * workers): durability read back, HTTP spread, sticky WebSocket and long-polling
 * sessions, cross-worker delivery, and a worker SIGKILLed under load replaced.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/protocol';
import { connectAndCatchUp, connectAndWait, createSession, createSocket, waitFor, type ChatSocket } from '../../support/clients';
import { overHttp, resendAndCheckExactlyOnce, sendersOnTwoWorkers } from '../../support/crash';
import { untilAcked } from '../../support/paced-sends';
import { logLines, useServer, workerPids } from '../../support/server';

type Health = { ok: boolean; durability: Array<{ connection: string; journalMode: string; synchronous: string }> };

describe('the 2-worker cluster', () => {
  // Started as npm start starts it: no CHAT_SQLITE_SYNC, so the default must be what the README promises.
  const server = useServer({ workers: 2 });

  // "Acked means fsynced", checked where it lives: NORMAL or OFF would pass every kill test, not this one.
  it('states WAL and synchronous=FULL for the primary and each worker, as read back from their connections', async () => {
    const stated = logLines(server().output())
      .map((line) => line.msg)
      .filter((msg) => msg.startsWith('durability: '));
    expect(stated, server().output()).toEqual([
      'durability: SQLite append connection journal_mode=WAL synchronous=FULL (read back from SQLite)',
    ]);

    const byWorker = new Map<string, Health>();
    for (let attempt = 0; attempt < 20 && byWorker.size < 2; attempt++) {
      const response = await fetch(`${server().url}/healthz`);
      byWorker.set(response.headers.get('x-worker-pid') ?? '', (await response.json()) as Health);
    }
    expect(byWorker.size).toBe(2);
    for (const [pid, health] of byWorker) {
      // A worker's own connection writes users and rooms; its messages are committed by the primary.
      expect(health, `worker ${pid}`).toMatchObject({
        ok: true,
        durability: [{ connection: 'main', journalMode: 'WAL', synchronous: 'FULL' }],
      });
    }
  });

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

  it('replaces a worker SIGKILLed under load: only its clients are cut off, and their resends are absorbed', async () => {
    const before = await workerPids(server().url, 2);
    // Their own room: the other tests of this file write to general.
    const senders = await sendersOnTwoWorkers(server().url, 'crash-room');
    const [victim] = before;
    process.kill(victim, 'SIGKILL');

    // One sender is cut off; the other's worker keeps committing through the primary.
    await waitFor(() => senders.some((sender) => !sender.socket.connected), 5000, 'a sender cut off');
    const [cut, survivor] = senders[0].socket.connected ? [senders[1], senders[0]] : [senders[0], senders[1]];
    await untilAcked(survivor.sends, survivor.sends.count('acked') + 30);
    expect(survivor.socket.connected).toBe(true);
    await Promise.all(senders.map((sender) => sender.sends.stop()));
    senders.forEach((sender) => sender.socket.close());

    expect(cut.sends.count('unanswered'), 'sends cut off with the worker').toBeGreaterThan(0);
    expect(survivor.sends.count('unanswered') + survivor.sends.count('refused')).toBe(0);
    for (const sender of senders) expect(sender.sends.count('timed-out')).toBe(0);

    // A new worker answers in its place.
    const after = await workerPids(server().url, 2);
    expect(after, server().output()).not.toContain(victim);
    expect(after).toHaveLength(2);
    expect(server().output()).toMatch(new RegExp(`worker ${victim} died \\(SIGKILL\\); starting a new one`));

    const report = await resendAndCheckExactlyOnce(overHttp(server().url), senders);
    expect(report.absorbed).toBeGreaterThanOrEqual(senders[0].sends.count('acked') + senders[1].sends.count('acked'));
  });
});
