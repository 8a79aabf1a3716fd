/**
 * History and search over HTTP: pages before a seq and around one, in seq order;
 * search over the caller's rooms only — a third person never finds a DM's words,
 * on SQLite and on PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Message, SearchResult } from '../../../shared/protocol';
import { connectAndCatchUp, createSession } from '../../support/clients';
import { useServer } from '../../support/server';
import { dropSchema, freshSchemaName, postgresProblem, shouldRun, TEST_DATABASE_URL, urlWithSchema } from '../../support/services';

const pgAvailable = shouldRun('search over HTTP on PostgreSQL', await postgresProblem());
const schema = freshSchemaName('chat_http_search');
afterAll(async () => {
  if (pgAvailable) await dropSchema(schema);
});

const modes = [
  { store: 'SQLite (2 workers)', run: true, options: { workers: 2 } },
  { store: 'PostgreSQL', run: pgAvailable, options: { workers: 1, env: { CHAT_DATABASE_URL: urlWithSchema(TEST_DATABASE_URL, schema) } } },
];

describe.each(modes)('history and search on $store', ({ run, options }) => {
  const server = useServer(run ? options : { workers: 1 });
  const get = async <T>(path: string, token: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${server().url}/api${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as T };
  };

  it.skipIf(!run)('pages back from any seq and around one, always in seq order', async () => {
    const ana = await createSession(server().url, 'Ana');
    const client = await connectAndCatchUp(server().url, ana.token);
    await client.socket.emitWithAck('room:join', { room: 'pages' });
    for (let index = 1; index <= 120; index++) {
      await client.socket.emitWithAck('message:send', { room: 'pages', clientOffset: `p-${index}`, content: `page ${index}` });
    }
    client.socket.close();
    const seqs = (messages: Message[]) => messages.map((message) => message.seq);
    expect(seqs((await get<{ messages: Message[] }>('/rooms/pages/messages?before=100&limit=30', ana.token)).body.messages)).toEqual(
      Array.from({ length: 30 }, (_, index) => 70 + index),
    );
    // The listing says what a catch-up sends each room, so a client counts what will arrive (this server: every message, v1's reading).
    expect((await get<{ window: number; cap: number }>('/rooms', ana.token)).body).toMatchObject({ window: 0, cap: 5000 });
    // Sent as the store encoded it, but still JSON, never cached.
    const raw = await fetch(`${server().url}/api/rooms/pages/messages?before=3&limit=30`, {
      headers: { authorization: `Bearer ${ana.token}` },
    });
    expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
    expect(raw.headers.get('cache-control')).toBe('no-store');
    expect(((await raw.json()) as { messages: Message[] }).messages.map((message) => message.content)).toEqual(['page 1', 'page 2']);
    expect(seqs((await get<{ messages: Message[] }>('/rooms/pages/messages?before=5&limit=30', ana.token)).body.messages)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(seqs((await get<{ messages: Message[] }>('/rooms/pages/messages?around=60&limit=10', ana.token)).body.messages)).toEqual(
      Array.from({ length: 10 }, (_, index) => 56 + index),
    );
    expect((await get('/rooms/pages/messages?before=10&after=3', ana.token)).status).toBe(400);
  });

  it.skipIf(!run)("never shows a DM's words to a third person, whatever they search for", async () => {
    const [ana, bob, eve] = await Promise.all(['Ana', 'Bob', 'Eve'].map((name) => createSession(server().url, name)));
    const client = await connectAndCatchUp(server().url, ana.token);
    const dm = await client.socket.emitWithAck('dm:open', { userId: bob.user.id });
    if (!dm.ok) throw new Error('dm:open failed');
    const word = `zebracorn${Date.now()}`;
    await client.socket.emitWithAck('message:send', { room: dm.room, clientOffset: 'secret', content: `the ${word} is in the DM` });
    await client.socket.emitWithAck('message:send', {
      room: 'general',
      clientOffset: 'public',
      content: `nothing about it here, just hello`,
    });
    client.socket.close();

    const search = (token: string, query: string) => get<{ results: SearchResult[] }>(`/search?q=${encodeURIComponent(query)}`, token);
    // The two people of the DM find it, once the index has both messages (it is filled after a
    // pause in the commits, which can fall between the two sends: wait for the later one).
    const deadline = Date.now() + 5000;
    let found: SearchResult[] = [];
    const indexedPublic = async () =>
      (await search(ana.token, 'hello')).body.results.some((result) => result.message.clientOffset === 'public');
    while (!(await indexedPublic()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    found = (await search(bob.token, word)).body.results;
    expect(found.map((result) => result.message.clientOffset)).toEqual(['secret']);
    expect(found[0].snippet).toContain(`\uE000${word}\uE001`);
    expect((await search(ana.token, word)).body.results).toHaveLength(1);
    // Eve, every way: by the word, by the DM's room, by other words of it.
    expect((await search(eve.token, word)).body.results).toEqual([]);
    expect((await search(eve.token, `${word} DM`)).body.results).toEqual([]);
    expect((await get(`/search?q=${word}&room=${encodeURIComponent(dm.room)}`, eve.token)).status).toBe(403);
    expect((await search(eve.token, 'hello')).body.results.map((result) => result.message.clientOffset)).toContain('public');
  });
});
