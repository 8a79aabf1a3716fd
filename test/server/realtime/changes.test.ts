/**
 * Edits, deletes and reactions over sockets on a 2-worker cluster: acked with the
 * stored change, idempotent across reconnects and workers, broadcast live once,
 * and caught up by rev after the messages, exactly once, by a device that was away.
 * Receipts: delivered and read cursors reach a DM peer live; an opt-out hides read.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Message, MessageChange, Receipt } from '../../../shared/protocol';
import { connectAndCatchUp, connectAndWait, createSession, createSocket, waitFor, type ChatSocket } from '../../support/clients';
import { useServer } from '../../support/server';

describe('message changes on a 2-worker cluster', () => {
  const server = useServer({ workers: 2 });
  const sockets: ChatSocket[] = [];
  afterAll(() => sockets.forEach((socket) => socket.close()));

  const connect = async (token: string, extra: { revs?: Record<string, number>; cursors?: Record<string, number> } = {}) => {
    const socket = createSocket(server().url, token, { cursors: extra.cursors });
    if (extra.revs) socket.auth = { ...(socket.auth as object), revs: extra.revs };
    sockets.push(socket);
    const changes: MessageChange[] = [];
    const messages: Message[] = [];
    socket.on('message:change', (change) => changes.push(change));
    socket.on('change:batch', (batch) => changes.push(...batch));
    socket.on('message:new', (message) => messages.push(message));
    socket.on('message:batch', (batch) => messages.push(...batch));
    const done = new Promise<import('../../../shared/protocol').SyncDone>((resolve) => socket.once('sync:done', resolve));
    await connectAndWait(socket);
    return { socket, changes, messages, done: await done };
  };

  const sendOk = async (socket: ChatSocket, clientOffset: string, content: string, room = 'general') => {
    const ack = await socket.emitWithAck('message:send', { room, clientOffset, content });
    if (!ack.ok) throw new Error(`send refused: ${ack.error.message}`);
    return ack.message;
  };

  it('acks each change with the stored change, broadcasts it once, and answers a resend on another worker with the same change', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const anaClient = await connect(ana.token, { revs: {} });
    const bobClient = await connect(bob.token, { revs: {} });
    const message = await sendOk(anaClient.socket, 'live-1', 'see you at 5');

    const edit = await anaClient.socket.emitWithAck('message:edit', {
      room: 'general',
      target: message.id,
      clientOffset: 'live-e1',
      content: 'see you at 6',
    });
    expect(edit).toMatchObject({ ok: true, change: { kind: 'edit', target: message.id, targetSeq: message.seq, content: 'see you at 6' } });
    if (!edit.ok) return;
    const reaction = await bobClient.socket.emitWithAck('reaction:set', {
      room: 'general',
      target: message.id,
      emoji: '👍',
      on: true,
      clientOffset: 'live-r1',
    });
    expect(reaction).toMatchObject({ ok: true, change: { kind: 'react', emoji: '👍', on: true, rev: edit.change.rev + 1 } });

    // The same edit from Ana's second device, which may sit on the other worker: the same change, nothing new.
    const anaPhone = await connect(ana.token);
    const resent = await anaPhone.socket.emitWithAck('message:edit', {
      room: 'general',
      target: message.id,
      clientOffset: 'live-e1',
      content: 'see you at 6',
    });
    expect(resent).toEqual(edit);

    // A marker change proves a second broadcast of the edit, had there been one, would have arrived by now.
    const marker = await anaClient.socket.emitWithAck('reaction:set', {
      room: 'general',
      target: message.id,
      emoji: '🎉',
      on: true,
      clientOffset: 'live-marker',
    });
    expect(marker.ok).toBe(true);
    await waitFor(() => bobClient.changes.some((change) => change.clientOffset === 'live-marker'), 5000, 'the marker change');
    expect(bobClient.changes.filter((change) => change.clientOffset === 'live-e1')).toHaveLength(1);
    expect(bobClient.changes.filter((change) => change.clientOffset === 'live-r1')).toHaveLength(1);
    const revs = bobClient.changes.filter((change) => change.room === 'general').map((change) => change.rev);
    expect(revs).toEqual([...revs].sort((a, b) => a - b));
  });

  it('answers the rules with the contract’s codes: forbidden for someone else’s message, not_found, invalid emoji', async () => {
    const ana = await createSession(server().url, 'Ana');
    const eve = await createSession(server().url, 'Eve');
    const anaClient = await connectAndCatchUp(server().url, ana.token);
    const eveClient = await connectAndCatchUp(server().url, eve.token);
    sockets.push(anaClient.socket, eveClient.socket);
    const message = await sendOk(anaClient.socket, 'rules-1', 'mine');

    const edit = await eveClient.socket.emitWithAck('message:edit', {
      room: 'general',
      target: message.id,
      clientOffset: 'eve-e',
      content: 'hers',
    });
    expect(edit).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const remove = await eveClient.socket.emitWithAck('message:delete', { room: 'general', target: message.id, clientOffset: 'eve-d' });
    expect(remove).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const ghost = await anaClient.socket.emitWithAck('message:edit', {
      room: 'general',
      target: 987_654_321,
      clientOffset: 'ghost',
      content: 'x',
    });
    expect(ghost).toMatchObject({ ok: false, error: { code: 'not_found' } });
    for (const emoji of ['not an emoji', '👍👍', '', 'a']) {
      const bad = await eveClient.socket.emitWithAck('reaction:set', {
        room: 'general',
        target: message.id,
        emoji,
        on: true,
        clientOffset: `bad-${emoji}`,
      });
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
    // A room the user is not in is forbidden, without saying whether the message exists.
    const dmOfOthers = `dm:${[ana.user.id, 'zzzzzzzzzzzz'].sort().join(':')}`;
    const outside = await eveClient.socket.emitWithAck('reaction:set', {
      room: dmOfOthers,
      target: message.id,
      emoji: '👍',
      on: true,
      clientOffset: 'outside',
    });
    expect(outside).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // And the store has Ana's words as she wrote them.
    const [stored] = (
      await (
        await fetch(`${server().url}/api/rooms/general/messages?after=${message.seq - 1}&limit=1`, {
          headers: { authorization: `Bearer ${ana.token}` },
        })
      ).json()
    ).messages as Message[];
    expect(stored).toMatchObject({ id: message.id, content: 'mine' });
    expect(stored.editedAt).toBeUndefined();
  });

  it('catches a device that was away through 200 edits and reactions up, once each, in rev order, after the messages', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const anaClient = await connect(ana.token, { revs: {} });
    await anaClient.socket.emitWithAck('room:join', { room: 'away' });
    const bobBefore = await connect(bob.token, { revs: {} });
    await bobBefore.socket.emitWithAck('room:join', { room: 'away' });
    const targets = [];
    for (let n = 0; n < 5; n++) targets.push(await sendOk(anaClient.socket, `away-${n}`, `message ${n}`, 'away'));
    // Bob has seen everything up to here: his cursors, then he goes away.
    const sync = await bobBefore.socket.emitWithAck('sync', { cursors: { away: 0 }, revs: { away: 0 } });
    expect(sync).toMatchObject({ ok: true, lastSeq: { away: 5 }, lastRev: { away: 0 } });
    bobBefore.socket.close();

    const sent: MessageChange[] = [];
    for (let n = 0; n < 200; n++) {
      const target = targets[n % targets.length];
      const ack =
        n % 4 === 0
          ? await anaClient.socket.emitWithAck('message:edit', {
              room: 'away',
              target: target.id,
              clientOffset: `away-e${n}`,
              content: `edit ${n}`,
            })
          : await anaClient.socket.emitWithAck('reaction:set', {
              room: 'away',
              target: target.id,
              emoji: ['👍', '❤️', '😂'][n % 3],
              on: n % 5 !== 0,
              clientOffset: `away-r${n}`,
            });
      if (!ack.ok) throw new Error(`change ${n} refused: ${ack.error.message}`);
      sent.push(ack.change);
    }
    // One new message too: messages come first, then changes.
    await sendOk(anaClient.socket, 'away-late', 'while you were out', 'away');

    const order: string[] = [];
    const bobBack = createSocket(server().url, bob.token, { cursors: { away: 5 } });
    bobBack.auth = { ...(bobBack.auth as object), revs: { away: 0 } };
    sockets.push(bobBack);
    const changes: MessageChange[] = [];
    bobBack.on('message:batch', () => order.push('messages'));
    bobBack.on('change:batch', (batch) => {
      order.push('changes');
      changes.push(...batch);
    });
    const done = new Promise<import('../../../shared/protocol').SyncDone>((resolve) => bobBack.once('sync:done', resolve));
    await connectAndWait(bobBack);
    const finished = await done;

    const awayChanges = changes.filter((change) => change.room === 'away');
    expect(awayChanges.map((change) => change.rev)).toEqual(sent.map((change) => change.rev));
    expect(awayChanges.map((change) => change.clientOffset)).toEqual(sent.map((change) => change.clientOffset));
    expect(finished.lastRev?.away).toBe(sent.at(-1)?.rev);
    expect(order.indexOf('messages')).toBeLessThan(order.indexOf('changes'));

    // From the middle: only what is after the cursor, exactly once.
    const resumed = await bobBack.emitWithAck('sync', { cursors: { away: 6 }, revs: { away: 150 } });
    expect(resumed).toMatchObject({ ok: true, lastRev: { away: 200 } });
    await waitFor(() => changes.filter((change) => change.room === 'away').length >= 250, 5000, 'the second replay');
    expect(
      changes
        .filter((change) => change.room === 'away')
        .slice(200)
        .map((change) => change.rev),
    ).toEqual(Array.from({ length: 50 }, (_, index) => 151 + index));
  });

  it('leaves a v1 client as it was: no change replay, no lastRev, seqs gap-free', async () => {
    const ana = await createSession(server().url, 'Ana');
    const anaClient = await connect(ana.token, { revs: {} });
    const message = await sendOk(anaClient.socket, 'v1-1', 'original');
    await anaClient.socket.emitWithAck('message:edit', { room: 'general', target: message.id, clientOffset: 'v1-e', content: 'changed' });

    const v1 = await connectAndCatchUp(server().url, ana.token, { cursors: { general: message.seq - 1 } });
    sockets.push(v1.socket);
    let replayed = 0;
    v1.socket.on('change:batch', () => replayed++);
    expect(v1.done.lastRev).toBeUndefined();
    // The catch-up page carries the message as it is now.
    expect(v1.messages.find((m) => m.id === message.id)).toMatchObject({ content: 'changed', seq: message.seq });
    const sync = await v1.socket.emitWithAck('sync', { cursors: { general: message.seq } });
    expect(sync.ok && 'lastRev' in sync).toBe(false);
    expect(replayed).toBe(0);
  });

  it('moves a DM peer’s ticks live: delivered, then read, and hides read when the reader opts out', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const anaClient = await connect(ana.token, { revs: {} });
    const bobClient = await connect(bob.token, { revs: {} });
    const receipts: Receipt[] = [];
    anaClient.socket.on('room:receipt', (receipt) => receipts.push(receipt));
    const opened = await anaClient.socket.emitWithAck('dm:open', { userId: bob.user.id });
    if (!opened.ok) throw new Error(opened.error.message);
    const message = await sendOk(anaClient.socket, 'dm-1', 'are you there?', opened.room);

    expect(await bobClient.socket.emitWithAck('room:delivered', { room: opened.room, seq: message.seq })).toEqual({
      ok: true,
      room: opened.room,
      deliveredSeq: message.seq,
    });
    await waitFor(() => receipts.some((receipt) => receipt.deliveredSeq === message.seq), 5000, 'the delivered receipt');
    await bobClient.socket.emitWithAck('room:read', { room: opened.room, seq: message.seq });
    await waitFor(() => receipts.some((receipt) => receipt.readSeq === message.seq), 5000, 'the read receipt');
    expect(receipts.every((receipt) => receipt.userId === bob.user.id && receipt.room === opened.room)).toBe(true);

    // Bob stops sharing read receipts: Ana's view of his read cursor goes to 0, his unread badge does not.
    const settings = await fetch(`${server().url}/api/me/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ readReceipts: false }),
    });
    expect(settings.status).toBe(200);
    const second = await sendOk(anaClient.socket, 'dm-2', 'hello?', opened.room);
    await bobClient.socket.emitWithAck('room:read', { room: opened.room, seq: second.seq });
    const counts = await fetch(`${server().url}/api/rooms/${encodeURIComponent(opened.room)}/receipts?seq=${second.seq}`, {
      headers: { authorization: `Bearer ${ana.token}` },
    });
    expect(counts.status).toBe(200);
    // Reading implies having it: Bob counts as delivered, not as read.
    expect(await counts.json()).toEqual({ members: 2, delivered: 1, read: 0 });
    const anaRooms = (await (await fetch(`${server().url}/api/rooms`, { headers: { authorization: `Bearer ${ana.token}` } })).json()) as {
      rooms: Array<{ id: string; peerReceipt?: Receipt }>;
    };
    expect(anaRooms.rooms.find((room) => room.id === opened.room)?.peerReceipt).toMatchObject({ userId: bob.user.id, readSeq: 0 });
    const bobRooms = (await (await fetch(`${server().url}/api/rooms`, { headers: { authorization: `Bearer ${bob.token}` } })).json()) as {
      rooms: Array<{ id: string; readSeq: number; unread: number }>;
    };
    expect(bobRooms.rooms.find((room) => room.id === opened.room)).toMatchObject({ readSeq: second.seq, unread: 0 });
    // Someone outside the DM can neither mark nor read its receipts.
    const eve = await createSession(server().url, 'Eve');
    const eveClient = await connect(eve.token);
    expect(await eveClient.socket.emitWithAck('room:delivered', { room: opened.room, seq: 1 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const peek = await fetch(`${server().url}/api/rooms/${encodeURIComponent(opened.room)}/receipts?seq=1`, {
      headers: { authorization: `Bearer ${eve.token}` },
    });
    expect(peek.status).toBe(403);
  });
});
