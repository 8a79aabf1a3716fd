import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../../shared/protocol';
import { ApiError, createSession, endSession, fetchRooms, postRoomMessage, renameMe } from '../../../client/io/api';
import {
  claimHandle,
  createDeviceLink,
  endOtherSession,
  redeemDeviceLink,
  removePasskey,
  verifyPasskeyLogin,
} from '../../../client/io/identity-api';

const ana = { id: 'u1', name: 'Ana' };
const message: Message = { id: 9, room: 'dm:u1:u2', seq: 4, author: ana, clientOffset: 'k1', content: 'hi', ts: 1 };

type Call = { url: string; method: string; headers: Headers; body: string | undefined };

/** Answers every fetch with `response` and records what was asked. */
function serverAnswers(response: () => Response | Promise<Response>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    calls.push({ url, method: init.method ?? 'GET', headers: new Headers(init.headers), body: init.body?.toString() });
    return response();
  });
  return calls;
}

const json = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the HTTP client', () => {
  it('creates a session with a JSON body and returns what the server made', async () => {
    const calls = serverAnswers(() => json({ token: 't', user: ana }, 201));
    expect(await createSession('Ana')).toEqual({ token: 't', user: ana });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ url: '/api/session', method: 'POST', body: JSON.stringify({ name: 'Ana' }) });
    expect(calls[0].headers.get('content-type')).toBe('application/json');
    expect(calls[0].headers.get('authorization')).toBeNull();
  });

  it('sends the bearer token and reads the rooms and the renamed user', async () => {
    let calls = serverAnswers(() => json({ rooms: [{ id: 'general', lastSeq: 3, readSeq: 1, unread: 2, kind: 'public' }] }, 200));
    expect(await fetchRooms('secret')).toEqual([{ id: 'general', lastSeq: 3, readSeq: 1, unread: 2, kind: 'public' }]);
    expect(calls[0]).toMatchObject({ url: '/api/rooms', method: 'GET', body: undefined });
    expect(calls[0].headers.get('authorization')).toBe('Bearer secret');

    calls = serverAnswers(() => json({ user: { id: 'u1', name: 'Bo' } }, 200));
    expect(await renameMe('secret', 'Bo')).toEqual({ id: 'u1', name: 'Bo' });
    expect(calls[0]).toMatchObject({ url: '/api/me', method: 'PATCH', body: JSON.stringify({ name: 'Bo' }) });
    expect(calls[0].headers.get('authorization')).toBe('Bearer secret');
  });

  it("throws ApiError with the status and the server's message, or the status alone from a body that is not ours", async () => {
    serverAnswers(() => json({ error: { code: 'invalid', message: 'name must not be empty' } }, 400));
    await expect(createSession(' ')).rejects.toEqual(new ApiError(400, 'name must not be empty'));
    await expect(createSession(' ')).rejects.toMatchObject({ status: 400 });

    serverAnswers(() => json({ error: { code: 'unauthorized', message: 'missing or unknown bearer token' } }, 401));
    await expect(fetchRooms('stale')).rejects.toMatchObject({ status: 401, message: 'missing or unknown bearer token' });

    serverAnswers(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(renameMe('t', 'Bo')).rejects.toMatchObject({ status: 502, message: 'The server answered 502' });

    serverAnswers(() => json({ error: { code: 'rate_limited', message: 'too many requests; slow down', retryAfterMs: 4000 } }, 429));
    await expect(renameMe('t', 'Bo')).rejects.toMatchObject({ status: 429, retryAfterMs: 4000 });
  });
});

describe('signing out', () => {
  it('asks the server to forget the token, and counts a token it already forgot as done', async () => {
    const calls = serverAnswers(() => new Response(null, { status: 204 }));
    await endSession('secret');
    expect(calls[0]).toMatchObject({ url: '/api/session', method: 'DELETE', body: undefined });
    expect(calls[0].headers.get('authorization')).toBe('Bearer secret');
    serverAnswers(() => json({ error: { code: 'unauthorized', message: 'missing, unknown or expired bearer token' } }, 401));
    await expect(endSession('gone')).resolves.toBeUndefined();
  });

  it('throws when the server did not forget it (refused, or no answer), so it can be told again later', async () => {
    serverAnswers(() => json({ error: { code: 'rate_limited', message: 'too many requests; slow down', retryAfterMs: 4000 } }, 429));
    await expect(endSession('secret')).rejects.toMatchObject({ status: 429, retryAfterMs: 4000 });
    serverAnswers(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(endSession('secret')).rejects.toThrow('Failed to fetch');
  });
});

describe('the HTTP send used by the background flush', () => {
  it('posts to the encoded room with the same clientOffset, and a new or repeated message is ok', async () => {
    const calls = serverAnswers(() => json({ message }, 201));
    expect(await postRoomMessage('t', { room: 'dm:u1:u2', clientOffset: 'k1', content: 'hi' })).toEqual({ ok: true, message });
    expect(calls[0]).toMatchObject({
      url: '/api/rooms/dm%3Au1%3Au2/messages',
      method: 'POST',
      body: JSON.stringify({ clientOffset: 'k1', content: 'hi' }),
    });
    expect(calls[0].headers.get('authorization')).toBe('Bearer t');
    serverAnswers(() => json({ message }, 200));
    expect(await postRoomMessage('t', { room: 'dm:u1:u2', clientOffset: 'k1', content: 'hi' })).toEqual({ ok: true, message });
  });

  it('returns refusals as the Ack the socket would give', async () => {
    const send = () => postRoomMessage('t', { room: 'general', clientOffset: 'k2', content: 'x' });
    serverAnswers(() => json({ error: { code: 'too_long', message: 'content is longer than 4000 characters' } }, 413));
    expect(await send()).toEqual({ ok: false, error: { code: 'too_long', message: 'content is longer than 4000 characters' } });
    serverAnswers(() => json({ error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 1500 } }, 429));
    expect(await send()).toEqual({ ok: false, error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 1500 } });
    serverAnswers(() => new Response('Bad gateway', { status: 502 }));
    expect(await send()).toEqual({ ok: false, error: { code: 'unavailable', message: 'The server answered 502' } });
  });

  it('throws on 401 (the page must ask for a name again) and when the network fails', async () => {
    const send = () => postRoomMessage('stale', { room: 'general', clientOffset: 'k3', content: 'x' });
    serverAnswers(() => json({ error: { code: 'unauthorized', message: 'missing or unknown bearer token' } }, 401));
    await expect(send()).rejects.toEqual(new ApiError(401, 'unauthorized'));
    serverAnswers(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(send()).rejects.toThrow('Failed to fetch');
  });
});

describe('the identity calls (extensions)', () => {
  it('claims a handle with the token, and reads a 409 as ApiError with the server’s reason', async () => {
    const calls = serverAnswers(() => json({ user: { ...ana, handle: 'ana' } }, 200));
    expect(await claimHandle('secret', 'ana')).toEqual({ ...ana, handle: 'ana' });
    expect(calls[0]).toMatchObject({ url: '/api/me/handle', method: 'PUT', body: JSON.stringify({ handle: 'ana' }) });
    expect(calls[0].headers.get('authorization')).toBe('Bearer secret');

    serverAnswers(() => json({ error: { code: 'conflict', message: '@ana is taken; try another' } }, 409));
    await expect(claimHandle('secret', 'ana')).rejects.toEqual(new ApiError(409, '@ana is taken; try another'));
  });

  it('names the session or passkey in the path when removing one; a 404 is an ApiError', async () => {
    const calls = serverAnswers(() => new Response(null, { status: 204 }));
    await endOtherSession('secret', 's-2');
    await removePasskey('secret', 'pk_1');
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual(['DELETE /api/sessions/s-2', 'DELETE /api/passkeys/pk_1']);

    serverAnswers(() => json({ error: { code: 'not_found', message: 'no such passkey' } }, 404));
    await expect(removePasskey('secret', 'gone')).rejects.toMatchObject({ status: 404 });
  });

  it('makes a link code with the token, and redeems one or signs in with a passkey without any', async () => {
    let calls = serverAnswers(() => json({ code: 'ABCD-EFGH', url: 'https://chat.example/#link=ABCD-EFGH', expiresAt: 5 }, 201));
    expect(await createDeviceLink('secret')).toMatchObject({ code: 'ABCD-EFGH' });
    expect(calls[0]).toMatchObject({ url: '/api/devices/link', method: 'POST' });

    calls = serverAnswers(() => json({ token: 't2', user: ana }, 200));
    expect(await redeemDeviceLink('ABCDEFGH')).toEqual({ token: 't2', user: ana });
    expect(calls[0]).toMatchObject({ url: '/api/devices/redeem', method: 'POST', body: JSON.stringify({ code: 'ABCDEFGH' }) });
    expect(calls[0].headers.get('authorization')).toBeNull();

    calls = serverAnswers(() => json({ error: { code: 'unauthorized', message: 'this passkey is not registered here' } }, 401));
    const answer = {
      id: 'a',
      rawId: 'a',
      type: 'public-key' as const,
      response: { clientDataJSON: 'c', authenticatorData: 'd', signature: 's' },
      clientExtensionResults: {},
    };
    await expect(verifyPasskeyLogin(answer)).rejects.toEqual(new ApiError(401, 'this passkey is not registered here'));
    expect(calls[0]).toMatchObject({ url: '/api/passkeys/login/verify', method: 'POST' });
    expect(JSON.parse(calls[0].body ?? '{}')).toEqual(answer);
    expect(calls[0].headers.get('authorization')).toBeNull();
  });
});
