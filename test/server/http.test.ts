import { describe, expect, it } from 'vitest';
import type { Message, User } from '../../shared/protocol';
import { createSession } from '../support/clients';
import { useServer } from '../support/server';

describe('HTTP identity and history', () => {
  const server = useServer({ workers: 1 });

  const get = (path: string, token: string) => fetch(`${server().url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('creates a session with a long random token and a trimmed name, and knows it again', async () => {
    const { token, user } = await createSession(server().url, '  Ana  ');
    expect(user.name).toBe('Ana');
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const me = await get('/api/me', token);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: User }).user).toEqual(user);
    const other = await createSession(server().url, 'Ana');
    expect(other.user.id).not.toBe(user.id);
  });

  it("pages history with after and limit, and lists the caller's rooms", async () => {
    const { token } = await createSession(server().url, 'Pager');
    const post = (clientOffset: string) =>
      fetch(`${server().url}/api/rooms/general/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientOffset, content: `page ${clientOffset}` }),
      });
    for (let index = 0; index < 7; index++) expect((await post(`p${index}`)).status).toBe(201);
    expect((await post('p3')).status).toBe(200);

    const page = (await (await get('/api/rooms/general/messages?after=2&limit=3', token)).json()) as { messages: Message[] };
    expect(page.messages.map((message) => message.seq)).toEqual([3, 4, 5]);
    const capped = (await (await get('/api/rooms/general/messages?limit=100000', token)).json()) as { messages: Message[] };
    expect(capped.messages.length).toBeLessThanOrEqual(500);
    const rooms = (await (await get('/api/rooms', token)).json()) as { rooms: { id: string; lastSeq: number }[] };
    expect(rooms.rooms[0]).toMatchObject({ id: 'general', lastSeq: capped.messages.length });
  });

  it('answers /healthz with 200 while the store works', async () => {
    const response = await fetch(`${server().url}/healthz`);
    expect(response.status).toBe(200);
    // The effective settings, read back by the benchmark's report.
    expect(await response.json()).toMatchObject({ ok: true, store: 'sqlite', sqliteSync: 'FULL', workers: 1 });
  });

  it('refuses cross-origin browsers unless CHAT_ORIGINS lists them', async () => {
    const foreign = await fetch(`${server().url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    const same = await fetch(`${server().url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: server().url } });
    expect(same.status).toBe(200);
  });
});
