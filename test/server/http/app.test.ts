/** The HTTP API in-process through createApp(deps).request(): identity, history, posting, health. */
import { describe, expect, it } from 'vitest';
import { BATCH_SIZE } from '../../../shared/limits';
import type { Message, User } from '../../../shared/protocol';
import { useTestApp } from '../../support/app';

type Page = { messages: Message[] };

describe('HTTP identity and history', () => {
  const testApp = useTestApp();

  it('creates a session with a long random token and a trimmed name, and knows it again', async () => {
    const { session, call } = testApp();
    const { token, user } = await session('  Ana  ');
    expect(user.name).toBe('Ana');
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const me = await call('GET', '/api/me', token);
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(((await me.json()) as { user: User }).user).toEqual(user);
    const other = await session('Ana');
    expect(other.user.id).not.toBe(user.id);
    expect(other.token).not.toBe(token);
  });

  it('keeps only a hash of the token: the store finds no user by the token itself', async () => {
    const { session, store } = testApp();
    const { token } = await session('Hashed');
    const now = Date.now();
    expect(await store.authenticate(token, now, now - 60_000)).toBeNull();
  });

  it("pages history with after and limit, and lists the caller's rooms", async () => {
    const { session, call, store } = testApp();
    const { token, user } = await session('Pager');
    // Its own room, so other tests' messages never shift the seqs; joining is a socket event, so the store does it.
    const room = 'pages';
    await store.joinRoom(user.id, room, 'public');
    const post = (clientOffset: string) =>
      call('POST', `/api/rooms/${room}/messages`, token, { clientOffset, content: `page ${clientOffset}` });
    for (let index = 0; index < 7; index++) expect((await post(`p${index}`)).status).toBe(201);
    expect((await post('p3')).status).toBe(200);

    const page = (await (await call('GET', `/api/rooms/${room}/messages?after=2&limit=3`, token)).json()) as Page;
    expect(page.messages.map((message) => message.seq)).toEqual([3, 4, 5]);
    expect(page.messages.map((message) => message.clientOffset)).toEqual(['p2', 'p3', 'p4']);
    const all = (await (await call('GET', `/api/rooms/${room}/messages`, token)).json()) as Page;
    expect(all.messages.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const rooms = (await (await call('GET', '/api/rooms', token)).json()) as { rooms: { id: string; lastSeq: number }[] };
    expect(rooms.rooms.map((listed) => listed.id)).toEqual(['general', room]);
    expect(rooms.rooms[1]).toMatchObject({ id: room, lastSeq: 7 });
  });

  it(`caps a page at ${BATCH_SIZE} messages, however many are asked for and however many there are`, async () => {
    const { session, call, store } = testApp();
    const { token, user } = await session('Historian');
    const room = 'long-history';
    await store.joinRoom(user.id, room, 'public');
    const total = BATCH_SIZE + 37;
    await Promise.all(
      Array.from({ length: total }, (_, index) =>
        store.appendMessage({ room, author: user, clientOffset: `h${index}`, content: `#${index}` }),
      ),
    );
    const seqs = async (query: string) =>
      ((await (await call('GET', `/api/rooms/${room}/messages${query}`, token)).json()) as Page).messages.map((message) => message.seq);
    const firstPage = Array.from({ length: BATCH_SIZE }, (_, index) => index + 1);
    expect(await seqs('?limit=100000')).toEqual(firstPage);
    expect(await seqs('')).toEqual(firstPage);
    expect(await seqs(`?after=${BATCH_SIZE}&limit=100000`)).toEqual(Array.from({ length: 37 }, (_, index) => BATCH_SIZE + 1 + index));
    expect(await seqs('?limit=0')).toEqual([1]);
    const rooms = (await (await call('GET', '/api/rooms', token)).json()) as { rooms: { id: string; lastSeq: number }[] };
    expect(rooms.rooms.find((listed) => listed.id === room)).toMatchObject({ lastSeq: total });
  });

  it('posts a message once: 201 and one publish when new, 200 with the stored message on a repeat', async () => {
    const { session, call, published } = testApp();
    const { token, user } = await session('Poster');
    const before = published.length;
    const first = await call('POST', '/api/rooms/general/messages', token, { clientOffset: 'http-1', content: 'over HTTP' });
    expect(first.status).toBe(201);
    const created = ((await first.json()) as { message: Message }).message;
    expect(created).toMatchObject({ room: 'general', author: user, clientOffset: 'http-1', content: 'over HTTP' });
    const again = await call('POST', '/api/rooms/general/messages', token, { clientOffset: 'http-1', content: 'over HTTP' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { message: Message }).message).toEqual(created);
    expect(published.slice(before)).toEqual([created]);
  });

  it('renames the caller and announces it', async () => {
    const { session, call, renamed } = testApp();
    const { token, user } = await session('Old Name');
    const response = await call('PATCH', '/api/me', token, { name: ' New Name ' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: { id: user.id, name: 'New Name' } });
    expect(renamed).toContainEqual({ id: user.id, name: 'New Name' });
    expect(((await (await call('GET', '/api/me', token)).json()) as { user: User }).user.name).toBe('New Name');
  });

  it('answers /healthz with 200, its pid, no caching, and the durability SQLite reports', async () => {
    const response = await testApp().app.request('/healthz');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-worker-pid')).toBe(String(process.pid));
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({
      ok: true,
      store: 'sqlite',
      durability: [
        { connection: 'main', journalMode: 'WAL', synchronous: 'FULL' },
        { connection: 'append', journalMode: 'WAL', synchronous: 'FULL' },
      ],
    });
  });

  it('sends security headers and answers unknown API paths with not_found', async () => {
    const response = await testApp().app.request('/api/nope');
    expect(response.status).toBe(401);
    const { token } = await testApp().session('Lost');
    const lost = await testApp().call('GET', '/api/nope', token);
    expect(lost.status).toBe(404);
    expect(await lost.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(lost.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(lost.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});
