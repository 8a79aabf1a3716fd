/**
 * People and rooms on one 2-worker cluster, every test with people of its own so all
 * run at once (the presence grace periods and the typing expiry overlap):
 * presence (realtime/presence.ts), typing (realtime/typing-relay.ts), and rooms,
 * DMs and read cursors (realtime/handlers/rooms.ts), each change crossing workers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Message, Notice, User } from '../../../shared/protocol';
import {
  connectAndCatchUp,
  connectAndWait,
  connectWhere,
  createSession,
  createSocket,
  waitFor,
  workerOf,
  type ChatSocket,
} from '../../support/clients';
import { useServer } from '../../support/server';

type Typing = { room: string; user: User; typing: boolean };

describe.concurrent('people and rooms on a 2-worker cluster', () => {
  const open: ChatSocket[] = [];
  const connect = async (token: string, cursors?: Record<string, number>) => {
    const client = await connectAndCatchUp(server().url, token, { cursors });
    open.push(client.socket);
    return client;
  };
  /** Grace timers run in several processes: events this far apart keep their order whichever process times them. */
  const MARGIN_MS = 400;
  const pause = () => new Promise((resolve) => setTimeout(resolve, MARGIN_MS));
  /**
   * Someone who leaves just after what a test wants to prove harmless, so that their `left`
   * notice is a positive signal: anything that change had caused would have arrived before it.
   */
  const marker = async (watcher: Notice[]) => {
    const session = await createSession(server().url, 'Marker');
    const client = await connect(session.token);
    await waitFor(() => watcher.some((notice) => notice.user.id === session.user.id), 5000, 'the marker joined');
    return {
      async leave(): Promise<void> {
        await pause();
        client.socket.close();
      },
      left: () =>
        waitFor(
          () => watcher.some((notice) => notice.user.id === session.user.id && notice.kind === 'left'),
          12_000,
          "the marker's left notice",
        ),
    };
  };

  const server = useServer({ workers: 2 });
  afterAll(() => open.forEach((socket) => socket.close()));

  describe('presence', () => {
    it('shows who is online across workers, with notices for first connection and last disconnection', async () => {
      const ana = await createSession(server().url, 'Ana');
      const bob = await createSession(server().url, 'Bob');
      const anaClient = await connect(ana.token);
      let online: User[] = [];
      const notices: Notice[] = [];
      anaClient.socket.on('presence', (payload) => (online = payload.online));
      anaClient.socket.on('notice', (notice) => notices.push(notice));

      // Bob's two tabs on the two workers, Ana on one of them: every change crosses the cluster.
      const first = await connect(bob.token);
      const firstWorker = workerOf(first.socket);
      expect(firstWorker).not.toBeNull();
      const bobTabs = [
        first,
        await connectWhere(
          () => connect(bob.token),
          (worker) => worker !== firstWorker,
        ),
      ];
      await waitFor(() => online.some((user) => user.id === bob.user.id), 5000, 'Bob online for Ana');
      const bobJoined = () => notices.filter((notice) => notice.user.id === bob.user.id && notice.kind === 'joined');
      await waitFor(() => bobJoined().length > 0, 5000, "Bob's joined notice");
      // Both workers saw a first socket of Bob's; a second notice would come by the marker's below.
      expect(bobJoined()).toHaveLength(1);

      // Closing one of two tabs does not take Bob offline: once a later leaver's notice is in, his would have been too.
      const later = await marker(notices);
      bobTabs[0].socket.close();
      await later.leave();
      // Bob's last tab closes after the marker left, so the marker's notice arrives before his real one.
      await pause();
      bobTabs[1].socket.close();
      await later.left();
      expect(online.some((user) => user.id === bob.user.id)).toBe(true);
      expect(notices.filter((notice) => notice.user.id === bob.user.id)).toHaveLength(1);

      await waitFor(() => !online.some((user) => user.id === bob.user.id), 12_000, 'Bob offline for Ana');
      await waitFor(() => notices.some((notice) => notice.user.id === bob.user.id && notice.kind === 'left'), 5000, 'left notice');
      expect(notices.filter((notice) => notice.user.id === bob.user.id)).toHaveLength(2);
    });

    it('does not flap presence when a user reloads', async () => {
      const ana = await createSession(server().url, 'Ana');
      const cy = await createSession(server().url, 'Cy');
      const anaClient = await connect(ana.token);
      const notices: Notice[] = [];
      anaClient.socket.on('notice', (notice) => notices.push(notice));
      const cyFirst = await connect(cy.token);
      await waitFor(() => notices.some((notice) => notice.user.id === cy.user.id), 5000, 'Cy joined');
      const later = await marker(notices);
      notices.length = 0;
      // The reload lands on the other worker, as it may in production.
      const firstWorker = workerOf(cyFirst.socket);
      cyFirst.socket.close();
      await connectWhere(
        () => connect(cy.token),
        (worker) => worker !== firstWorker,
      );
      await later.leave();
      await later.left();
      expect(
        notices.filter((notice) => notice.user.id === cy.user.id),
        JSON.stringify(notices),
      ).toEqual([]);
    });

    it('renames a user everywhere: presence and later messages carry the new name', async () => {
      const ana = await createSession(server().url, 'Ana');
      const bob = await createSession(server().url, 'Bob');
      const anaClient = await connect(ana.token);
      const bobClient = await connect(bob.token);
      let online: User[] = [];
      bobClient.socket.on('presence', (payload) => (online = payload.online));
      const response = await fetch(`${server().url}/api/me`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ana.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Ana Lima' }),
      });
      expect(response.status).toBe(200);
      await waitFor(() => online.some((user) => user.id === ana.user.id && user.name === 'Ana Lima'), 5000, 'renamed presence');
      const ack = await anaClient.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'renamed-1', content: 'new name' });
      expect(ack).toMatchObject({ ok: true, message: { author: { id: ana.user.id, name: 'Ana Lima' } } });
    });

    it('sends presence deltas to clients that ask for them', async () => {
      const ana = await createSession(server().url, 'Ana');
      const bob = await createSession(server().url, 'Bob');
      const anaSocket = createSocket(server().url, ana.token);
      (anaSocket as unknown as { auth: object }).auth = { token: ana.token, presence: 'delta' };
      open.push(anaSocket);
      const full: User[][] = [];
      const deltas: { joined: User[]; left: User[] }[] = [];
      anaSocket.on('presence', (payload) => full.push(payload.online));
      anaSocket.on('presence:delta', (delta) => deltas.push(delta));
      await connectAndWait(anaSocket);
      await waitFor(() => full.length === 1, 5000, 'the first full list');

      const bobClient = await connect(bob.token);
      await waitFor(() => deltas.some((delta) => delta.joined.some((user) => user.id === bob.user.id)), 5000, 'Bob joined delta');
      bobClient.socket.close();
      await waitFor(() => deltas.some((delta) => delta.left.some((user) => user.id === bob.user.id)), 12_000, 'Bob left delta');
      expect(full).toHaveLength(1);
    });
  });

  describe('typing', () => {
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

  describe('rooms and DMs', () => {
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
      expect(await eveClient.socket.emitWithAck('sync', { cursors: { [dm]: 0 } })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
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
        (
          (await (await fetch(`${server().url}/api/rooms`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
            rooms: Listing[];
          }
        ).rooms;
      const dmForBob = (await list(bob.token)).find((room) => room.id === opened.room);
      expect(dmForBob).toEqual({
        id: opened.room,
        lastSeq: 3,
        readSeq: 0,
        lastRev: 0,
        unread: 3,
        kind: 'dm',
        peer: ana.user,
        // Ana has neither received nor read anything of her own DM yet as far as receipts go.
        peerReceipt: { room: opened.room, userId: ana.user.id, deliveredSeq: 0, readSeq: 0 },
      });

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
});
