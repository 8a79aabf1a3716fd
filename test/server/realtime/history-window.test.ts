/**
 * Bounded history over the socket: a room without a cursor gets only its
 * newest window (marked in sync:done), a room with a cursor gets everything
 * after it up to the cap, and past the cap the newest window with the hole
 * marked. A client that ignores the marker and syncs from 0 still gets all.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/protocol';
import { connectAndCatchUp, createSession, type ChatSocket } from '../../support/clients';
import { useServer } from '../../support/server';

describe('catch-up windows and caps', () => {
  const server = useServer({ workers: 1, env: { CHAT_HISTORY_WINDOW: '50', CHAT_CATCHUP_CAP: '500' } });

  async function seed(socket: ChatSocket, room: string, count: number, prefix: string): Promise<void> {
    for (let start = 0; start < count; start += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, count - start) }, (_, index) =>
          socket.emitWithAck('message:send', { room, clientOffset: `${prefix}-${start + index}`, content: `${prefix} ${start + index}` }),
        ),
      );
    }
  }

  const seqsOf = (messages: Message[], room: string) => messages.filter((message) => message.room === room).map((message) => message.seq);

  it('sends a new device only the newest 50 of each room, and says where each window starts', async () => {
    const ana = await createSession(server().url, 'Ana');
    const writer = await connectAndCatchUp(server().url, ana.token);
    await writer.socket.emitWithAck('room:join', { room: 'small' });
    await seed(writer.socket, 'general', 120, 'g');
    await seed(writer.socket, 'small', 10, 's');
    writer.socket.close();

    const phone = await connectAndCatchUp(server().url, ana.token, { cursors: {} });
    const general = seqsOf(phone.messages, 'general');
    expect(general).toEqual(Array.from({ length: 50 }, (_, index) => 71 + index));
    expect(seqsOf(phone.messages, 'small')).toEqual(Array.from({ length: 10 }, (_, index) => index + 1));
    expect(phone.lastSeq).toMatchObject({ general: 120, small: 10 });
    expect(phone.done.windows).toEqual({ general: 71 });

    // A v1 client that ignores the marker sees the gap below 71 and asks from 0: it gets all of it.
    const synced = await phone.socket.emitWithAck('sync', { cursors: { general: 0 } });
    expect(synced).toMatchObject({ ok: true, lastSeq: { general: 120 } });
    expect(synced.ok && synced.windows).toBeFalsy();
    phone.socket.close();
  });

  it('syncs a room named in rooms (a room just joined) with its newest window only, and no other room', async () => {
    const cleo = await createSession(server().url, 'Cleo');
    const writer = await connectAndCatchUp(server().url, cleo.token);
    await writer.socket.emitWithAck('room:join', { room: 'long' });
    await seed(writer.socket, 'long', 130, 'l');
    await seed(writer.socket, 'general', 3, 'c');
    writer.socket.close();

    const dan = await createSession(server().url, 'Dan');
    const reader = await connectAndCatchUp(server().url, dan.token, { cursors: { general: 0 } });
    await reader.socket.emitWithAck('room:join', { room: 'long' });
    const batches: Message[][] = [];
    reader.socket.on('message:batch', (batch) => batches.push(batch));
    const synced = await reader.socket.emitWithAck('sync', { cursors: {}, rooms: ['long'] });
    expect(synced).toMatchObject({ ok: true, lastSeq: { long: 130 }, windows: { long: 81 } });
    expect(synced.ok && Object.keys(synced.lastSeq)).toEqual(['long']);
    expect(seqsOf(batches.flat(), 'long')).toEqual(Array.from({ length: 50 }, (_, index) => 81 + index));
    expect(seqsOf(batches.flat(), 'general')).toEqual([]);

    // A cursor named for the same room wins: everything after it, as v1 says.
    batches.length = 0;
    const after = await reader.socket.emitWithAck('sync', { cursors: { long: 100 }, rooms: ['long'] });
    expect(after.ok && after.windows).toBeFalsy();
    expect(seqsOf(batches.flat(), 'long')).toEqual(Array.from({ length: 30 }, (_, index) => 101 + index));

    // Naming a DM of others there is refused like naming it in cursors.
    const refused = await reader.socket.emitWithAck('sync', { cursors: {}, rooms: ['dm:aaa:bbb'] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    reader.socket.close();
  });

  it('replays everything after an explicit cursor up to the cap, and past it the newest window with the hole marked', async () => {
    const bob = await createSession(server().url, 'Bob');
    const writer = await connectAndCatchUp(server().url, bob.token, { cursors: { general: 0 } });
    const base = writer.lastSeq.general ?? 0;
    await seed(writer.socket, 'general', 700, 'b');
    writer.socket.close();
    const last = base + 700;

    const near = await connectAndCatchUp(server().url, bob.token, { cursors: { general: last - 300 } });
    expect(seqsOf(near.messages, 'general')).toEqual(Array.from({ length: 300 }, (_, index) => last - 299 + index));
    expect(near.done.windows).toBeUndefined();
    near.socket.close();

    const far = await connectAndCatchUp(server().url, bob.token, { cursors: { general: last - 650 } });
    expect(seqsOf(far.messages, 'general')).toEqual(Array.from({ length: 50 }, (_, index) => last - 49 + index));
    expect(far.done.windows).toEqual({ general: last - 49 });
    far.socket.close();
  });
});
