/** Typing indicators on a 2-worker cluster: to the room's other members only, throttled, ended by the server. */
import { afterAll, describe, expect, it } from 'vitest';
import type { User } from '../../../shared/protocol';
import { connectAndCatchUp, connectWhere, createSession, waitFor, workerOf, type ChatSocket } from '../../support/clients';
import { useServer } from '../../support/server';

type Typing = { room: string; user: User; typing: boolean };

describe('typing on a 2-worker cluster', () => {
  const open: ChatSocket[] = [];
  const connect = async (token: string, cursors?: Record<string, number>) => {
    const client = await connectAndCatchUp(server().url, token, { cursors });
    open.push(client.socket);
    return client;
  };

  const server = useServer({ workers: 2 });
  afterAll(() => open.forEach((socket) => socket.close()));

  it('relays typing to the other members only, throttled, and ends it when the typist goes quiet or leaves', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const eve = await createSession(server().url, 'Eve');
    // Ana's two tabs on the two workers, Bob on the other one from her typing tab: every relay crosses the cluster.
    const anaTab = await connect(ana.token);
    const typistWorker = workerOf(anaTab.socket);
    const anaOtherTab = await connectWhere(
      () => connect(ana.token),
      (worker) => worker !== typistWorker,
    );
    const bobClient = await connectWhere(
      () => connect(bob.token),
      (worker) => worker !== typistWorker,
    );
    const seenByBob: Typing[] = [];
    const seenByAnaTabs: Typing[][] = [[], []];
    bobClient.socket.on('typing', (event) => seenByBob.push(event));
    anaTab.socket.on('typing', (event) => seenByAnaTabs[0].push(event));
    anaOtherTab.socket.on('typing', (event) => seenByAnaTabs[1].push(event));
    const fromAna = (room: string) => seenByBob.filter((event) => event.user.id === ana.user.id && event.room === room);

    // Bob's DM with Eve and a room only Bob joined (Ana is in neither), and a room both joined.
    const dm = await bobClient.socket.emitWithAck('dm:open', { userId: eve.user.id });
    if (!dm.ok) throw new Error('dm:open failed');
    expect(await bobClient.socket.emitWithAck('room:join', { room: 'bobs-den' })).toMatchObject({ ok: true });
    for (const client of [anaTab, bobClient])
      expect(await client.socket.emitWithAck('room:join', { room: 'sketches' })).toMatchObject({ ok: true });

    for (let index = 0; index < 5; index++) anaTab.socket.emit('typing', { room: 'general', typing: true });
    // A later event from the same socket: once Bob has it, he has every relay of the five before it.
    anaTab.socket.emit('typing', { room: 'sketches', typing: true });
    await waitFor(() => fromAna('sketches').length > 0, 5000, 'typing in sketches');
    expect(fromAna('general')).toEqual([{ room: 'general', user: ana.user, typing: true }]); // throttled

    // Ana goes silent: the server ends her typing by itself.
    await waitFor(() => fromAna('general').some((event) => !event.typing), 10_000, 'typing expiry');

    // Typing into rooms one is not in goes nowhere, not even to their members; typing in general, after them, does arrive.
    anaTab.socket.emit('typing', { room: dm.room, typing: true });
    anaTab.socket.emit('typing', { room: 'bobs-den', typing: true });
    anaTab.socket.emit('typing', { room: 'general', typing: true });
    await waitFor(() => fromAna('general').filter((event) => event.typing).length === 2, 5000, 'Ana typing again');
    expect(fromAna(dm.room)).toEqual([]);
    expect(fromAna('bobs-den')).toEqual([]);

    // Never to the typist's own tabs: both of them get Bob's typing, which came after all of hers.
    bobClient.socket.emit('typing', { room: 'general', typing: true });
    const bobTyping = (seen: Typing[]) => seen.some((event) => event.user.id === bob.user.id && event.typing);
    await waitFor(() => seenByAnaTabs.every(bobTyping), 5000, 'Bob typing on both of her tabs');
    expect(seenByAnaTabs.flat().filter((event) => event.user.id === ana.user.id)).toEqual([]);

    bobClient.socket.close();
    await waitFor(
      () => seenByAnaTabs[0].some((event) => event.user.id === bob.user.id && !event.typing),
      5000,
      'typing ends on disconnect',
    );
  });
});
