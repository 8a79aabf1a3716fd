/** Catch-up on connect and gap repair with sync: on one process, and from the memory of every worker of a cluster. */
import { describe, expect, it } from 'vitest';
import { messagesOfPacked } from '../../../shared/message-packed';
import { messagesOfRows } from '../../../shared/message-rows';
import type { Message } from '../../../shared/protocol';
import { connectAndCatchUp, createSession, waitFor } from '../../support/clients';
import { useInProcessServer } from '../../support/in-process-server';
import { useServer } from '../../support/server';

async function post(server: { url: string }, token: string, room: string, clientOffset: string, content: string): Promise<Message> {
  const response = await fetch(`${server.url}/api/rooms/${room}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientOffset, content }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { message: Message }).message;
}

describe('catch-up and sync', () => {
  const server = useInProcessServer();

  it('streams exactly the messages after the stored cursor, in batches of at most 500, then sync:done', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const first = await connectAndCatchUp(server().url, bob.token);
    const cursor = first.lastSeq.general;
    first.socket.close();

    // 1,203 messages while Bob is away: three batches of 500 and one of 203.
    const sender = await connectAndCatchUp(server().url, ana.token);
    const acks = await Promise.all(
      Array.from({ length: 1203 }, (_, index) =>
        sender.socket.emitWithAck('message:send', { room: 'general', clientOffset: `away-${index}`, content: `#${index}` }),
      ),
    );
    expect(acks.every((ack) => ack.ok)).toBe(true);
    sender.socket.close();

    const back = await connectAndCatchUp(server().url, bob.token, { cursors: { general: cursor } });
    back.socket.close();
    expect(back.batches.every((batch) => batch.length <= 500)).toBe(true);
    expect(back.batches.map((batch) => batch.length)).toEqual([500, 500, 203]);
    expect(back.messages.map((message) => message.seq)).toEqual(Array.from({ length: 1203 }, (_, index) => cursor + 1 + index));
    expect(back.lastSeq.general).toBe(cursor + 1203);
  });

  it('sends the same messages as message:rows or message:packed to a client that asks (auth.pages), pages ending on multiples of 500, on sync too', async () => {
    const ana = await createSession(server().url, 'Ana');
    const dee = await createSession(server().url, 'Dee');
    const before = await connectAndCatchUp(server().url, dee.token);
    before.socket.close();
    const cursor = before.lastSeq.general;
    const sender = await connectAndCatchUp(server().url, ana.token);
    const acks = await Promise.all(
      Array.from({ length: 1203 }, (_, index) =>
        sender.socket.emitWithAck('message:send', { room: 'general', clientOffset: `rows-${index}`, content: `“${index}” 😀` }),
      ),
    );
    expect(acks.every((ack) => ack.ok)).toBe(true);
    const [reacted] = acks.slice(5, 6).map((ack) => (ack.ok ? ack.message : null));
    const reaction = await sender.socket.emitWithAck('reaction:set', {
      room: 'general',
      clientOffset: 'rows-react',
      target: reacted?.id ?? 0,
      emoji: '👍',
      on: true,
    });
    expect(reaction.ok).toBe(true);
    sender.socket.close();

    const start = cursor + 1;
    const v1 = await connectAndCatchUp(server().url, dee.token, { cursors: { general: cursor } });
    v1.socket.close();
    const rows = await connectAndCatchUp(server().url, dee.token, { cursors: { general: cursor }, pages: 'rows' });
    const rowsCaughtUp = [...rows.batches];
    expect(v1.rowsPages).toBe(0);
    expect(rows.rowsPages).toBe(rows.batches.length);
    expect(rows.messages).toEqual(v1.messages);
    expect(rows.messages.find((message) => message.id === reacted?.id)?.reactions).toEqual({ '👍': [ana.user.id] });
    expect(rows.lastSeq).toEqual(v1.lastSeq);
    // After the first page, each ends on a multiple of 500.
    const ends = rows.batches.map((batch) => batch.at(-1)?.seq ?? 0);
    expect(ends.slice(0, -1).every((seq) => seq % 500 === 0)).toBe(true);
    expect(rows.batches.flat().map((message) => message.seq)).toEqual(Array.from({ length: 1203 }, (_, index) => start + index));

    // Gap repair on the same socket comes as rows too.
    const repaired: Message[][] = [];
    rows.socket.on('message:rows', (page) => repaired.push(messagesOfRows(page)));
    const ack = await rows.socket.emitWithAck('sync', { cursors: { general: start + 1199 } });
    rows.socket.close();
    expect(ack).toEqual({ ok: true, lastSeq: { general: cursor + 1203 } });
    expect(repaired.flat().map((message) => message.seq)).toEqual([start + 1200, start + 1201, start + 1202]);

    // Packed: the same messages in the same pages, gap repair included.
    const packed = await connectAndCatchUp(server().url, dee.token, { cursors: { general: cursor }, pages: 'packed' });
    expect(packed.packedPages).toBe(packed.batches.length);
    expect(packed.rowsPages).toBe(0);
    expect(packed.batches).toEqual(rowsCaughtUp);
    expect(packed.lastSeq).toEqual(v1.lastSeq);
    const repairedPacked: Message[][] = [];
    packed.socket.on('message:packed', (page) => repairedPacked.push(messagesOfPacked(page)));
    const packedAck = await packed.socket.emitWithAck('sync', { cursors: { general: start + 1199 } });
    packed.socket.close();
    expect(packedAck).toEqual(ack);
    expect(repairedPacked).toEqual(repaired);
  });

  it('sends nothing but sync:done to a client that is up to date', async () => {
    const cy = await createSession(server().url, 'Cy');
    const first = await connectAndCatchUp(server().url, cy.token);
    first.socket.close();
    const again = await connectAndCatchUp(server().url, cy.token, { cursors: first.lastSeq });
    again.socket.close();
    expect(again.messages).toEqual([]);
    expect(again.lastSeq.general).toBe(first.lastSeq.general);
  });

  it('fills a gap with sync and answers with the last seqs', async () => {
    const ana = await createSession(server().url, 'Ana');
    const m1 = await post(server(), ana.token, 'general', 'gap-1', 'one');
    await post(server(), ana.token, 'general', 'gap-2', 'two');
    await post(server(), ana.token, 'general', 'gap-3', 'three');

    const client = await connectAndCatchUp(server().url, ana.token, { cursors: { general: m1.seq + 2 } });
    const repaired: Message[] = [];
    client.socket.on('message:batch', (batch) => repaired.push(...batch));
    const ack = await client.socket.emitWithAck('sync', { cursors: { general: m1.seq - 1 } });
    client.socket.close();
    expect(ack).toEqual({ ok: true, lastSeq: { general: m1.seq + 2 } });
    expect(repaired.map((message) => message.clientOffset)).toEqual(['gap-1', 'gap-2', 'gap-3']);
  });

  it('replays rooms the user joined and ignores cursors of rooms they are not in', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const anaLive = await connectAndCatchUp(server().url, ana.token);
    const joined = await anaLive.socket.emitWithAck('room:join', { room: 'design' });
    expect(joined).toEqual({ ok: true, room: 'design', lastSeq: 0 });
    await post(server(), ana.token, 'design', 'd-1', 'in design');
    anaLive.socket.close();

    const bobCatchUp = await connectAndCatchUp(server().url, bob.token, { cursors: { design: 0 } });
    bobCatchUp.socket.close();
    expect(bobCatchUp.messages.filter((message) => message.room === 'design')).toEqual([]);

    const anaAgain = await connectAndCatchUp(server().url, ana.token, { cursors: { general: 1_000_000 } });
    anaAgain.socket.close();
    expect(anaAgain.messages.filter((message) => message.room === 'design').map((message) => message.content)).toEqual(['in design']);
    expect(anaAgain.lastSeq.design).toBe(1);
  });

  it('keeps live messages flowing to a room after join and stops them after leave', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const anaLive = await connectAndCatchUp(server().url, ana.token);
    const bobLive = await connectAndCatchUp(server().url, bob.token);
    const seen: Message[] = [];
    bobLive.socket.on('message:new', (message) => seen.push(message));
    await anaLive.socket.emitWithAck('room:join', { room: 'ops' });
    await bobLive.socket.emitWithAck('room:join', { room: 'ops' });
    await anaLive.socket.emitWithAck('message:send', { room: 'ops', clientOffset: 'ops-1', content: 'first' });
    await waitFor(() => seen.some((message) => message.clientOffset === 'ops-1'), 5000, 'ops-1');
    expect(await bobLive.socket.emitWithAck('room:leave', { room: 'ops' })).toEqual({ ok: true });
    await anaLive.socket.emitWithAck('message:send', { room: 'ops', clientOffset: 'ops-2', content: 'second' });
    await anaLive.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'ops-3', content: 'marker' });
    await waitFor(() => seen.some((message) => message.clientOffset === 'ops-3'), 5000, 'marker');
    expect(seen.some((message) => message.clientOffset === 'ops-2')).toBe(false);
    anaLive.socket.close();
    bobLive.socket.close();
  });
});

describe('catch-up on a 2-worker cluster', () => {
  const server = useServer({ workers: 2 });

  it('serves recent pages from the memory of every worker exactly as the store has them, renamed authors included', async () => {
    const dee = await createSession(server().url, 'Dee');
    const eve = await createSession(server().url, 'Eve');
    const before = await connectAndCatchUp(server().url, eve.token);
    const cursor = before.lastSeq.general;
    before.socket.close();
    // Two senders, so both workers commit and each learns the other's messages over the cluster.
    const senders = [await connectAndCatchUp(server().url, dee.token), await connectAndCatchUp(server().url, dee.token)];
    const acks = await Promise.all(
      Array.from({ length: 1100 }, (_, index) =>
        senders[index % 2].socket.emitWithAck('message:send', { room: 'general', clientOffset: `tail-${index}`, content: `#${index}` }),
      ),
    );
    expect(acks.every((ack) => ack.ok)).toBe(true);

    const fromDb = async () => {
      const response = await fetch(`${server().url}/api/rooms/general/messages?after=${cursor}&limit=500`, {
        headers: { authorization: `Bearer ${eve.token}` },
      });
      return ((await response.json()) as { messages: Message[] }).messages;
    };
    // Round robin: consecutive clients land on both workers.
    for (const attempt of [1, 2]) {
      const back = await connectAndCatchUp(server().url, eve.token, { cursors: { general: cursor } });
      back.socket.close();
      expect(
        back.messages.map((message) => message.seq),
        `attempt ${attempt}`,
      ).toEqual(Array.from({ length: 1100 }, (_, index) => cursor + 1 + index));
      expect(back.messages.slice(0, 500)).toEqual(await fromDb());
    }

    const renamed = await fetch(`${server().url}/api/me`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${dee.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Dee Renamed' }),
    });
    expect(renamed.status).toBe(200);
    senders.forEach((sender) => sender.socket.close());
    for (const attempt of [1, 2]) {
      const back = await connectAndCatchUp(server().url, eve.token, { cursors: { general: cursor } });
      back.socket.close();
      expect(new Set(back.messages.map((message) => message.author.name)), `attempt ${attempt}`).toEqual(new Set(['Dee Renamed']));
    }
  });
});
