/** Bad Socket.IO input gets its code and nothing else: no crash, no stack, no stored row. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAndCatchUp, createSession, type ChatSocket } from '../../support/clients';
import { startInProcessServer, type InProcessServer } from '../../support/in-process-server';

type Untyped = {
  emit(event: string, ...args: unknown[]): void;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
};

describe('bad socket input gets its code and nothing else', () => {
  let server: InProcessServer;
  let token: string;
  let socket: ChatSocket;
  let raw: Untyped;

  beforeAll(async () => {
    server = await startInProcessServer();
    token = (await createSession(server.url, 'Mallory')).token;
    socket = (await connectAndCatchUp(server.url, token)).socket;
    raw = socket as unknown as Untyped;
  });
  afterAll(async () => {
    socket?.close();
    await server?.stop();
  });

  it.each([
    ['no payload', undefined, 'invalid'],
    ['a string payload', 'hello', 'invalid'],
    ['an array payload', ['general', 'x', 'y'], 'invalid'],
    ['content of the wrong type', { room: 'general', clientOffset: 'b1', content: 7 }, 'invalid'],
    ['a missing clientOffset', { room: 'general', content: 'hi' }, 'invalid'],
    ['a missing room', { clientOffset: 'b2', content: 'hi' }, 'invalid'],
    ['empty content', { room: 'general', clientOffset: 'b3', content: '' }, 'invalid'],
    ['4001 chars', { room: 'general', clientOffset: 'b4', content: 'x'.repeat(4001) }, 'too_long'],
    ['a bad room slug', { room: '../etc', clientOffset: 'b5', content: 'hi' }, 'invalid'],
    ['an upper-case room', { room: 'General', clientOffset: 'b6', content: 'hi' }, 'invalid'],
    ['a bad clientOffset', { room: 'general', clientOffset: 'no spaces', content: 'hi' }, 'invalid'],
    ['a 65-char clientOffset', { room: 'general', clientOffset: 'o'.repeat(65), content: 'hi' }, 'invalid'],
    ['a room never joined', { room: 'secret-club', clientOffset: 'b7', content: 'hi' }, 'forbidden'],
    ['a DM of others', { room: 'dm:aaaa:bbbb', clientOffset: 'b8', content: 'hi' }, 'forbidden'],
  ])('message:send with %s → %s', async (_label, payload, code) => {
    const ack = (await raw.timeout(5000).emitWithAck('message:send', payload)) as {
      ok: boolean;
      error?: { code: string; message: string };
    };
    expect(ack.ok).toBe(false);
    expect(ack.error?.code).toBe(code);
    expect(ack.error?.message).not.toMatch(/SQL|sqlite|at \w+ \(|node_modules/i);
  });

  it('stored none of the rejected sends', async () => {
    const response = await fetch(`${server.url}/api/rooms/general/messages`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await response.json()) as { messages: unknown[] }).messages).toEqual([]);
  });

  it.each([
    ['room:join', { room: 'UPPER' }, 'invalid'],
    ['room:join', { room: 'dm:aaaa:bbbb' }, 'forbidden'],
    ['room:join', {}, 'invalid'],
    ['room:leave', { room: 'general' }, 'invalid'],
    ['room:leave', { room: 42 }, 'invalid'],
    ['sync', { cursors: { general: -4 } }, 'invalid'],
    ['sync', { cursors: 'all' }, 'invalid'],
    ['sync', { cursors: { 'dm:aaaa:bbbb': 0 } }, 'forbidden'],
  ])('%s with %j → %s', async (event, payload, code) => {
    const ack = (await raw.timeout(5000).emitWithAck(event, payload)) as { ok: boolean; error?: { code: string } };
    expect(ack).toMatchObject({ ok: false, error: { code } });
  });

  it('processes a send that has no ack callback, and survives junk events', async () => {
    raw.emit('message:send', { room: 'general', clientOffset: 'no-ack-1', content: 'fire and forget' });
    raw.emit('message:send', null);
    raw.emit('no-such-event', { junk: true });
    raw.emit('sync');
    const ack = (await raw
      .timeout(5000)
      .emitWithAck('message:send', { room: 'general', clientOffset: 'no-ack-1', content: 'fire and forget' })) as {
      ok: boolean;
      message?: { seq: number };
    };
    expect(ack).toMatchObject({ ok: true, message: { seq: 1 } });
    expect(socket.connected).toBe(true);
  });
});
