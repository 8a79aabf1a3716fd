/**
 * Presence in a crowd (`auth.presence: 'bounded'`, realtime/presence.ts): above
 * PRESENCE_LIST_LIMIT people online a bounded socket is told how many, not who, and asks
 * `presence:list` for names; a v1 socket keeps getting whole lists. On a 2-worker cluster, so
 * the count is the union of both workers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PRESENCE_LIST_LIMIT } from '../../../shared/limits';
import type { Ack, PresenceList, User } from '../../../shared/protocol';
import { connectAndWait, createSession, createSocket, waitFor, type ChatSocket } from '../../support/clients';
import { useServer } from '../../support/server';

type Heard = { lists: User[][]; counts: number[]; deltas: number };

function listen(socket: ChatSocket): Heard {
  const heard: Heard = { lists: [], counts: [], deltas: 0 };
  socket.on('presence', ({ online }) => heard.lists.push(online));
  socket.on('presence:count', ({ online }) => heard.counts.push(online));
  socket.on('presence:delta', () => (heard.deltas += 1));
  return heard;
}

const ask = (socket: ChatSocket, payload: unknown) =>
  new Promise<Ack<PresenceList>>((resolve) => socket.emit('presence:list', payload as { query?: string }, resolve));

describe("presence for a crowd: counts instead of names for 'bounded' sockets", () => {
  const server = useServer({ workers: 2, env: { CHAT_RATE_LIMIT: '0' } });
  const open: ChatSocket[] = [];
  afterAll(() => open.forEach((socket) => socket.close()));

  const connect = async (name: string, presence: 'full' | 'bounded') => {
    const session = await createSession(server().url, name);
    const socket = createSocket(server().url, session.token);
    (socket as unknown as { auth: object }).auth = { token: session.token, cursors: {}, presence };
    const heard = listen(socket);
    open.push(socket);
    await connectAndWait(socket);
    return { socket, heard, user: session.user };
  };

  it('tells a crowd how many are online, lists names on request, and gives the list back when the crowd thins', async () => {
    const watcher = await connect('Watcher', 'bounded');
    const v1 = await connect('Old client', 'full');
    await waitFor(() => watcher.heard.lists.length > 0, 5000, "the watcher's first list");

    const crowd: ChatSocket[] = [];
    for (let start = 0; start < PRESENCE_LIST_LIMIT + 10; start += 30) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(30, PRESENCE_LIST_LIMIT + 10 - start) }, (_, index) => connect(`Crowd ${start + index}`, 'bounded')),
      );
      crowd.push(...batch.map((member) => member.socket));
    }
    const everyone = PRESENCE_LIST_LIMIT + 12;
    await waitFor(() => watcher.heard.counts.at(-1) === everyone, 15_000, `the watcher told ${everyone} are online`);

    // A newcomer to the crowd is told the count, never handed the whole list.
    const late = await connect('Latecomer', 'bounded');
    await waitFor(() => late.heard.counts.length > 0, 5000, "the latecomer's count");
    expect(late.heard.counts[0]).toBe(everyone + 1);
    expect(late.heard.lists).toHaveLength(0);
    // The v1 client still gets whole lists, and never a count.
    await waitFor(() => v1.heard.lists.at(-1)?.length === everyone + 1, 15_000, "the v1 client's whole list");
    expect(v1.heard.counts).toHaveLength(0);

    const page = await ask(late.socket, { query: 'crowd 1' });
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    // "Crowd 1", "Crowd 10"…"Crowd 19", "Crowd 100"…"Crowd 199": 111 names, sorted by name.
    expect(page.total).toBe(111);
    expect(page.online.every((user) => user.name.toLowerCase().includes('crowd 1'))).toBe(true);
    expect(page.online.map((user) => user.name)).toEqual([...page.online.map((user) => user.name)].sort((a, b) => a.localeCompare(b)));
    const all = await ask(late.socket, {});
    expect(all.ok && all.total).toBe(everyone + 1);
    expect(await ask(late.socket, { query: 42 })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await ask(late.socket, { query: 'x'.repeat(65) })).toMatchObject({ ok: false, error: { code: 'invalid' } });

    // The crowd leaves: after the grace period the bounded sockets get a list again, then deltas.
    const listsBefore = watcher.heard.lists.length;
    for (const socket of crowd) socket.close();
    await waitFor(() => watcher.heard.lists.length > listsBefore, 20_000, 'a list again once the crowd thinned');
    const list = watcher.heard.lists.at(-1) ?? [];
    expect(list.length).toBeLessThanOrEqual(PRESENCE_LIST_LIMIT);
    expect(list.map((user) => user.id)).toEqual(expect.arrayContaining([watcher.user.id, v1.user.id, late.user.id]));
    const deltasBefore = watcher.heard.deltas;
    const next = await connect('After the crowd', 'bounded');
    await waitFor(() => watcher.heard.deltas > deltasBefore, 10_000, 'a delta for the next newcomer');
    expect(next.heard.lists).toHaveLength(1);
  });
});
