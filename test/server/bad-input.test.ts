import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAndCatchUp, createSession, createSocket, connectAndWait, type ChatSocket } from '../support/clients';
import { removeTempDirs, startServer, type RunningServer } from '../support/server';

type Untyped = {
  emit(event: string, ...args: unknown[]): void;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
};

describe('bad input gets its code and nothing else', () => {
  let server: RunningServer;
  let token: string;
  let socket: ChatSocket;
  let raw: Untyped;

  beforeAll(async () => {
    server = await startServer({ workers: 1 });
    token = (await createSession(server.url, 'Mallory')).token;
    socket = (await connectAndCatchUp(server.url, token)).socket;
    raw = socket as unknown as Untyped;
  });
  afterAll(async () => {
    socket?.close();
    await server?.stop();
    removeTempDirs();
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

  it.each([
    ['no token', {}, 'unauthorized'],
    ['an unknown token', { token: 'not-a-real-token' }, 'unauthorized'],
    ['a token of the wrong type', { token: 12 }, 'unauthorized'],
  ])('refuses a handshake with %s', async (_label, auth, message) => {
    const probe = createSocket(server.url, '');
    (probe as unknown as { auth: unknown }).auth = auth;
    await expect(connectAndWait(probe, 5000)).rejects.toThrow(message);
    probe.close();
  });

  it('refuses a handshake with malformed cursors', async () => {
    const probe = createSocket(server.url, token, { cursors: { general: 'x' as unknown as number } });
    await expect(connectAndWait(probe, 5000)).rejects.toThrow('invalid');
    probe.close();
  });

  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it.each([
    ['a non-JSON body', '/api/rooms/general/messages', 'not json', 400, 'invalid'],
    ['a missing content', '/api/rooms/general/messages', { clientOffset: 'h1' }, 400, 'invalid'],
    ['4001 chars', '/api/rooms/general/messages', { clientOffset: 'h2', content: 'y'.repeat(4001) }, 413, 'too_long'],
    ['a bad room', '/api/rooms/No%20Room/messages', { clientOffset: 'h3', content: 'hi' }, 400, 'invalid'],
    ['a DM of others', '/api/rooms/dm:aaaa:bbbb/messages', { clientOffset: 'h4', content: 'hi' }, 403, 'forbidden'],
    ['a name too long', '/api/session', { name: 'n'.repeat(33) }, 400, 'invalid'],
    ['a blank name', '/api/session', { name: '   ' }, 400, 'invalid'],
    ['a non-JSON session body', '/api/session', '{"name":', 400, 'invalid'],
  ])('HTTP POST with %s → %i %s', async (_label, path, body, status, code) => {
    const response = await fetch(`${server.url}${path}`, json(body));
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code } });
  });

  it('answers 401 without a valid bearer token on every /api route', async () => {
    for (const [method, path] of [
      ['GET', '/api/me'],
      ['GET', '/api/rooms'],
      ['GET', '/api/rooms/general/messages'],
      ['POST', '/api/rooms/general/messages'],
    ]) {
      const response = await fetch(`${server.url}${path}`, { method, headers: { authorization: 'Bearer nope' } });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });

  it('rejects bad history queries and DM history of others', async () => {
    const auth = { headers: { authorization: `Bearer ${token}` } };
    expect((await fetch(`${server.url}/api/rooms/general/messages?after=-1`, auth)).status).toBe(400);
    expect((await fetch(`${server.url}/api/rooms/general/messages?limit=abc`, auth)).status).toBe(400);
    expect((await fetch(`${server.url}/api/rooms/dm:aaaa:bbbb/messages`, auth)).status).toBe(403);
  });
});
