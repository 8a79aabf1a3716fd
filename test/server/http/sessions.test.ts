/**
 * Sessions end: signing a device out revokes its token at once and closes its
 * live sockets on every worker, other devices stay signed in, and the answer
 * that carries a token is never cached.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceSession } from '../../../shared/protocol';
import { connectAndCatchUp, connectAndWait, createSession, createSocket, waitFor } from '../../support/clients';
import { useServer } from '../../support/server';

describe('signing out', () => {
  const server = useServer({ workers: 2 });
  const call = (path: string, token: string, method = 'GET') =>
    fetch(`${server().url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

  it('revokes this device only, and disconnects its sockets on every worker within seconds', async () => {
    const phone = await createSession(server().url, 'Ana');
    // A second device of the same account: signed in through its own session (as a linked device will be).
    const me = await call('/api/sessions', phone.token);
    expect(me.status).toBe(200);
    const listed = ((await me.json()) as { sessions: DeviceSession[] }).sessions;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ current: true, device: 'Unknown device' });

    // Four sockets of the phone: with two workers, round robin puts them on both.
    const sockets = await Promise.all(Array.from({ length: 4 }, async () => (await connectAndCatchUp(server().url, phone.token)).socket));
    const closed: string[] = [];
    sockets.forEach((socket) => socket.on('disconnect', (reason) => closed.push(reason)));

    const out = await call('/api/session', phone.token, 'DELETE');
    expect(out.status).toBe(204);
    await waitFor(() => closed.length === 4, 5_000, 'every socket of the session to close');
    expect(closed.every((reason) => reason === 'io server disconnect')).toBe(true);

    expect((await call('/api/me', phone.token)).status).toBe(401);
    const again = createSocket(server().url, phone.token);
    await expect(connectAndWait(again, 5_000)).rejects.toThrow('unauthorized');
    again.close();
  });

  it("lists the account's devices and signs out another one, leaving this one working", async () => {
    const laptop = await createSession(server().url, 'Bob');
    const other = await createSession(server().url, 'Bob elsewhere');
    const sessions = ((await (await call('/api/sessions', laptop.token)).json()) as { sessions: DeviceSession[] }).sessions;
    const [mine] = sessions;
    // Another account's session id is not found through this account.
    const othersId = ((await (await call('/api/sessions', other.token)).json()) as { sessions: DeviceSession[] }).sessions[0].id;
    expect((await call(`/api/sessions/${othersId}`, laptop.token, 'DELETE')).status).toBe(404);
    expect((await call('/api/me', other.token)).status).toBe(200);
    expect((await call(`/api/sessions/${mine.id}`, laptop.token, 'DELETE')).status).toBe(204);
    expect((await call('/api/me', laptop.token)).status).toBe(401);
  });

  it('never lets a token answer be cached, and reads JSON bodies only when they say so', async () => {
    const created = await fetch(`${server().url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"Cy"}',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    // A form or a page elsewhere can post text/plain without a CORS preflight: not an account.
    const plain = await fetch(`${server().url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"name":"Cy"}',
    });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ error: { code: 'invalid' } });
    const none = await fetch(`${server().url}/api/session`, { method: 'POST', body: '{"name":"Cy"}' });
    expect(none.status).toBe(415);
  });
});
