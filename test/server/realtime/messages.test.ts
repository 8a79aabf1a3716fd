/** message:send end to end: idempotent, gap-free under concurrency, broadcast once to every tab, on one process and on a cluster. */
import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/protocol';
import { connectAndCatchUp, createSession, waitFor, type ChatSocket } from '../../support/clients';
import { useInProcessServer } from '../../support/in-process-server';
import { useServer } from '../../support/server';

describe.each([
  // One process needs no child: the chat server runs inside the test.
  { mode: 'a single process', use: () => useInProcessServer() },
  { mode: 'a 2-worker cluster', use: () => useServer({ workers: 2 }) },
])('message:send on $mode', ({ use }) => {
  const sockets: ChatSocket[] = [];

  const server = use();
  afterAll(() => sockets.forEach((socket) => socket.close()));

  it('answers a repeated clientOffset with the original message and broadcasts nothing new', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const sender = await connectAndCatchUp(server().url, ana.token);
    const watcher = await connectAndCatchUp(server().url, bob.token);
    sockets.push(sender.socket, watcher.socket);
    const seen: Message[] = [];
    watcher.socket.on('message:new', (message) => seen.push(message));

    const first = await sender.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'once-1', content: 'hello' });
    const again = await sender.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'once-1', content: 'hello' });
    expect(first.ok).toBe(true);
    expect(again).toEqual(first);
    if (!first.ok) return;
    expect(first.message).toMatchObject({ room: 'general', author: ana.user, clientOffset: 'once-1', content: 'hello' });

    await waitFor(() => seen.length >= 1, 5000, 'the broadcast');
    // A later message proves the repeat's broadcast, had there been one, would have arrived before it.
    const marker = await sender.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'once-2', content: 'marker' });
    await waitFor(() => seen.some((message) => message.clientOffset === 'once-2'), 5000, 'the marker');
    expect(marker.ok).toBe(true);
    expect(seen.filter((message) => message.clientOffset === 'once-1')).toHaveLength(1);
  });

  it('gives 20 concurrent senders unique gap-free seqs and every client every message once', async () => {
    const clients = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const session = await createSession(server().url, `user${index}`);
        const connected = await connectAndCatchUp(server().url, session.token);
        sockets.push(connected.socket);
        const received: Message[] = [];
        connected.socket.on('message:new', (message) => received.push(message));
        return { ...connected, session, received, start: connected.lastSeq.general ?? 0 };
      }),
    );
    const perClient = 10;
    const acks = await Promise.all(
      clients.flatMap((client, index) =>
        Array.from({ length: perClient }, (_, n) =>
          client.socket.emitWithAck('message:send', {
            room: 'general',
            clientOffset: `c${index}-m${n}`,
            content: `message ${n} from ${index}`,
          }),
        ),
      ),
    );
    expect(acks.every((ack) => ack.ok)).toBe(true);
    const seqs = acks.flatMap((ack) => (ack.ok ? [ack.message.seq] : [])).sort((a, b) => a - b);
    const base = seqs[0];
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, index) => base + index));
    const ids = acks
      .flatMap((ack) => (ack.ok ? [ack.message] : []))
      .sort((a, b) => a.seq - b.seq)
      .map((message) => message.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    for (const client of clients) {
      await waitFor(() => client.received.filter((message) => message.seq >= base).length >= 200, 10_000, 'all deliveries');
      const ours = client.received.filter((message) => message.seq >= base).map((message) => message.seq);
      expect(new Set(ours).size).toBe(ours.length);
      expect(ours.length).toBe(200);
    }
  });

  it("delivers to the sender's other tabs too", async () => {
    const ana = await createSession(server().url, 'Ana');
    const tabs = await Promise.all([
      connectAndCatchUp(server().url, ana.token),
      connectAndCatchUp(server().url, ana.token),
      connectAndCatchUp(server().url, ana.token),
    ]);
    sockets.push(...tabs.map((tab) => tab.socket));
    const received = tabs.map(() => [] as Message[]);
    tabs.forEach((tab, index) => tab.socket.on('message:new', (message) => received[index].push(message)));
    const ack = await tabs[0].socket.emitWithAck('message:send', { room: 'general', clientOffset: 'tabs-1', content: 'to all my tabs' });
    expect(ack.ok).toBe(true);
    await waitFor(() => received.every((list) => list.some((message) => message.clientOffset === 'tabs-1')), 5000, 'every tab');
  });
});
