/** Room membership over sockets on a 2-worker cluster: notices, private DMs, read cursors on every device. */
import { afterAll, describe, expect, it } from 'vitest';
import type { Message, Notice } from '../../../../shared/protocol';
import { connectAndCatchUp, createSession, waitFor, type ChatSocket } from '../../../support/clients';
import { useServer } from '../../../support/server';

describe('rooms and DMs on a 2-worker cluster', () => {
  const open: ChatSocket[] = [];
  const connect = async (token: string, cursors?: Record<string, number>) => {
    const client = await connectAndCatchUp(server().url, token, { cursors });
    open.push(client.socket);
    return client;
  };

  const server = useServer({ workers: 2 });
  afterAll(() => open.forEach((socket) => socket.close()));

  it('sends joined and left notices to room members and not to the mover', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const anaClient = await connect(ana.token);
    const bobClient = await connect(bob.token);
    const anaNotices: Notice[] = [];
    const bobNotices: Notice[] = [];
    anaClient.socket.on('notice', (notice) => anaNotices.push(notice));
    bobClient.socket.on('notice', (notice) => bobNotices.push(notice));
    await anaClient.socket.emitWithAck('room:join', { room: 'design' });
    await bobClient.socket.emitWithAck('room:join', { room: 'design' });
    await bobClient.socket.emitWithAck('room:join', { room: 'design' });
    await bobClient.socket.emitWithAck('room:leave', { room: 'design' });
    await waitFor(() => anaNotices.filter((notice) => notice.room === 'design').length >= 2, 5000, 'design notices');
    expect(anaNotices.filter((notice) => notice.room === 'design').map((notice) => [notice.kind, notice.user.name])).toEqual([
      ['joined', 'Bob'],
      ['left', 'Bob'],
    ]);
    expect(bobNotices.filter((notice) => notice.room === 'design' && notice.user.id === bob.user.id)).toEqual([]);
  });

  it('opens one DM per pair and keeps it from everyone else, whichever way they try', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const eve = await createSession(server().url, 'Eve');
    const anaClient = await connect(ana.token);
    const bobClient = await connect(bob.token);
    const eveClient = await connect(eve.token);
    const eveSaw: Message[] = [];
    eveClient.socket.on('message:new', (message) => eveSaw.push(message));
    eveClient.socket.on('message:batch', (batch) => eveSaw.push(...batch));
    const bobSaw: Message[] = [];
    bobClient.socket.on('message:new', (message) => bobSaw.push(message));

    const opened = await anaClient.socket.emitWithAck('dm:open', { userId: bob.user.id });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const dm = opened.room;
    expect(dm).toBe(`dm:${[ana.user.id, bob.user.id].sort().join(':')}`);
    expect(await bobClient.socket.emitWithAck('dm:open', { userId: ana.user.id })).toEqual({ ok: true, room: dm, lastSeq: 0 });
    expect(await anaClient.socket.emitWithAck('dm:open', { userId: 'nobody-here' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });

    const sent = await anaClient.socket.emitWithAck('message:send', { room: dm, clientOffset: 'dm-1', content: 'just for Bob' });
    expect(sent.ok).toBe(true);
    await waitFor(() => bobSaw.some((message) => message.room === dm), 5000, 'Bob gets the DM live');

    // Every way in for Eve: send, join, sync, catch-up with forged cursors, HTTP read and write.
    expect(await eveClient.socket.emitWithAck('message:send', { room: dm, clientOffset: 'eve-1', content: 'let me in' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await eveClient.socket.emitWithAck('room:join', { room: dm })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await eveClient.socket.emitWithAck('sync', { cursors: { [dm]: 0 } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const forged = await connect(eve.token, { [dm]: 0, general: 0 });
    expect(forged.messages.some((message) => message.room === dm)).toBe(false);
    expect(forged.lastSeq[dm]).toBeUndefined();
    const auth = { authorization: `Bearer ${eve.token}`, 'content-type': 'application/json' };
    expect((await fetch(`${server().url}/api/rooms/${dm}/messages`, { headers: auth })).status).toBe(403);
    expect((await fetch(`${server().url}/api/rooms/${encodeURIComponent(dm)}/messages?after=0`, { headers: auth })).status).toBe(403);
    const post = await fetch(`${server().url}/api/rooms/${dm}/messages`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ clientOffset: 'eve-2', content: 'hi' }),
    });
    expect(post.status).toBe(403);
    const rooms = (await (await fetch(`${server().url}/api/rooms`, { headers: auth })).json()) as { rooms: { id: string }[] };
    expect(rooms.rooms.map((room) => room.id)).not.toContain(dm);

    await anaClient.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'dm-marker', content: 'marker' });
    await waitFor(() => eveSaw.some((message) => message.clientOffset === 'dm-marker'), 5000, 'marker');
    expect(eveSaw.filter((message) => message.room === dm)).toEqual([]);

    // Bob's catch-up includes the DM, and so does his rooms list.
    const bobLater = await connect(bob.token);
    expect(bobLater.messages.filter((message) => message.room === dm).map((message) => message.content)).toEqual(['just for Bob']);
  });

  it('counts unread per room, lists DMs with their peer, and syncs read cursors across devices', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const anaClient = await connect(ana.token);
    const bobPhone = await connect(bob.token);
    const bobLaptop = await connect(bob.token);
    const laptopReads: { room: string; readSeq: number }[] = [];
    bobLaptop.socket.on('room:read', (event) => laptopReads.push(event));

    const opened = await anaClient.socket.emitWithAck('dm:open', { userId: bob.user.id });
    if (!opened.ok) throw new Error('dm:open failed');
    for (const n of [1, 2, 3])
      await anaClient.socket.emitWithAck('message:send', { room: opened.room, clientOffset: `u-${n}`, content: `unread ${n}` });

    type Listing = { id: string; lastSeq: number; readSeq: number; unread: number; kind: string; peer?: { name: string } };
    const list = async (token: string) =>
      ((await (await fetch(`${server().url}/api/rooms`, { headers: { authorization: `Bearer ${token}` } })).json()) as { rooms: Listing[] })
        .rooms;
    const dmForBob = (await list(bob.token)).find((room) => room.id === opened.room);
    expect(dmForBob).toEqual({ id: opened.room, lastSeq: 3, readSeq: 0, unread: 3, kind: 'dm', peer: ana.user });

    expect(await bobPhone.socket.emitWithAck('room:read', { room: opened.room, seq: 2 })).toEqual({
      ok: true,
      room: opened.room,
      readSeq: 2,
    });
    await waitFor(() => laptopReads.length > 0, 5000, 'read cursor on the other device');
    expect(laptopReads).toEqual([{ room: opened.room, readSeq: 2 }]);
    expect((await list(bob.token)).find((room) => room.id === opened.room)).toMatchObject({ unread: 1 });
    // One's own messages are never unread.
    expect((await list(ana.token)).find((room) => room.id === opened.room)).toMatchObject({ readSeq: 0, unread: 0 });

    const eve = await createSession(server().url, 'Eve');
    const eveClient = await connect(eve.token);
    expect(await eveClient.socket.emitWithAck('room:read', { room: opened.room, seq: 3 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});
