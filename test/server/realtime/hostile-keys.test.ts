/**
 * Room names and cursor maps come from clients: a public room may be called
 * "constructor" or "prototype", and a handshake token may be anything at all.
 */
import { describe, expect, it } from 'vitest';
import type { Ack, Message, SyncDone } from '../../../shared/protocol';
import { connectAndCatchUp, connectAndWait, createSession, createSocket, waitFor } from '../../support/clients';
import { connectRaw } from '../../support/raw-socket';
import { useServer } from '../../support/server';

describe('user input used as keys', () => {
  const server = useServer({ workers: 1 });

  it('catches up rooms named like Object.prototype members, with and without cursors for them', async () => {
    const ana = await createSession(server().url, 'Ana');
    const first = await connectAndCatchUp(server().url, ana.token);
    for (const room of ['constructor', 'prototype', 'tostring']) {
      const joined = await first.socket.emitWithAck('room:join', { room });
      expect(joined).toMatchObject({ ok: true, room });
      const sent = await first.socket.emitWithAck('message:send', { room, clientOffset: `in-${room}`, content: `hello ${room}` });
      expect(sent.ok).toBe(true);
    }
    first.socket.close();

    // No cursors at all: every room from the start (a plain object would answer cursors.constructor).
    const fresh = await connectAndCatchUp(server().url, ana.token);
    fresh.socket.close();
    const rooms = (messages: Message[]) => messages.filter((message) => message.room !== 'general').map((message) => message.room);
    expect(rooms(fresh.messages).sort()).toEqual(['constructor', 'prototype', 'tostring']);
    expect(fresh.lastSeq).toMatchObject({ constructor: 1, prototype: 1, tostring: 1 });

    // A cursor for "constructor" that is up to date: nothing of that room again.
    const cursors = JSON.parse('{"constructor": 1, "general": 0}') as Record<string, number>;
    const resumed = await connectAndCatchUp(server().url, ana.token, { cursors });
    expect(rooms(resumed.messages).sort()).toEqual(['prototype', 'tostring']);
    const synced = await resumed.socket.emitWithAck('sync', { cursors: JSON.parse('{"constructor": 0}') as Record<string, number> });
    expect(synced).toMatchObject({ ok: true, lastSeq: { constructor: 1 } });
    resumed.socket.close();
  });

  it.each([
    ['an empty token', { token: '' }],
    ['a numeric token', { token: 7 }],
    ['a 10,000-character token', { token: 't'.repeat(10_000) }],
    ['an object as token', { token: { $ne: null } }],
  ])('answers a handshake with %s as unauthorized', async (_label, auth) => {
    const probe = createSocket(server().url, '');
    (probe as unknown as { auth: unknown }).auth = auth;
    await expect(connectAndWait(probe, 5000)).rejects.toThrow('unauthorized');
    probe.close();
  });

  it('answers a sync naming __proto__ or holding an unsafe seq as invalid, and keeps the socket', async () => {
    const bob = await createSession(server().url, 'Bob');
    const client = await connectAndCatchUp(server().url, bob.token);
    const raw = client.socket as unknown as { emitWithAck(event: string, payload: unknown): Promise<unknown> };
    expect(await raw.emitWithAck('sync', { cursors: JSON.parse('{"__proto__": 0}') })).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
    expect(await raw.emitWithAck('sync', { cursors: { general: 2 ** 60 } })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await raw.emitWithAck('room:read', { room: 'general', seq: 1e300 })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(client.socket.connected).toBe(true);
    client.socket.close();
  });
});

describe('catch-up on demand', () => {
  const server = useServer({ workers: 1 });

  it('runs one sync at a time per connection and refuses the overlapping ones with a retry time', async () => {
    const ana = await createSession(server().url, 'Ana');
    const client = await connectAndCatchUp(server().url, ana.token);
    for (let index = 0; index < 1200; index++) {
      void client.socket.emit('message:send', { room: 'general', clientOffset: `seed-${index}`, content: `seed ${index}` });
    }
    await client.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'seed-last', content: 'last' });
    client.socket.close();

    // Four syncs in one TCP write, read by the server in one go, once the connect's own catch-up is
    // done. Sent by the real client they could arrive in separate reads, each after the one before
    // had finished, and then nothing overlaps (CI saw that: 4 done, 0 refused).
    const raw = await connectRaw(server().url, { token: ana.token, cursors: { general: 1201 } });
    await waitFor(() => raw.received.some((packet) => packet.startsWith('42["sync:done"')), 5_000, 'the catch-up on connect');
    raw.sendTogether([1, 2, 3, 4].map((id) => `42${id}["sync",{"cursors":{"general":0}}]`));
    const answers = () =>
      raw.received.filter((packet) => /^43[1-4]\[/.test(packet)).map((packet) => (JSON.parse(packet.slice(3)) as [Ack<SyncDone>])[0]);
    await waitFor(() => answers().length === 4, 10_000, 'four answers');
    const done = answers().filter((answer) => answer.ok);
    const refused = answers().flatMap((answer) => (!answer.ok && answer.error.code === 'rate_limited' ? [answer.error] : []));
    expect(done.length).toBe(1);
    expect(refused.length).toBe(3);
    expect(refused.map((error) => error.retryAfterMs)).toEqual([1000, 1000, 1000]);
    raw.close();
  });
});
