/**
 * The Store contract, held against both implementations: SQLite in a temp dir
 * and PostgreSQL in a fresh schema (dropped afterwards). The PostgreSQL suite
 * also checks what only a shared database can get wrong: several instances.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { messagesOfPacked } from '../../../shared/message-packed';
import { messagesOfRows } from '../../../shared/message-rows';
import type { Message, MessagePacked, MessageRows } from '../../../shared/protocol';
import { openPostgresStore } from '../../../server/store/postgres';
import { migrations } from '../../../server/store/postgres-schema';
import { StoreUnavailableError } from '../../../server/store/store';
import { dropSchema, freshSchemaName, postgresProblem, shouldRun, TEST_DATABASE_URL } from '../../support/services';
import { newUser, postgresKind, send, sqliteKind, type StoreKind } from '../../support/store-kinds';
import { startTcpProxy } from '../../support/tcp-proxy';

const pgAvailable = shouldRun('PostgreSQL store', await postgresProblem());

/** Per room, seqs run 1..n and ids grow with seq. */
function expectGapFreeAndOrdered(messages: Message[], rooms: string[]): void {
  for (const room of rooms) {
    const inRoom = messages.filter((m) => m.room === room).sort((a, b) => a.seq - b.seq);
    expect(inRoom.map((m) => m.seq)).toEqual(inRoom.map((_, index) => index + 1));
    for (let i = 1; i < inRoom.length; i++) expect(inRoom[i].id).toBeGreaterThan(inRoom[i - 1].id);
  }
  expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
}

function contract(makeKind: () => StoreKind): void {
  const kind = makeKind();
  afterAll(() => kind.cleanup());

  it('creates users, finds them by token hash and id, and renames them', async () => {
    const store = await kind.open('users');
    const user = await newUser(store, 'Grace');
    const now = Date.now();
    expect((await store.authenticate(`hash-${user.id}`, now, now - 60_000))?.user).toEqual(user);
    expect(await store.userById(user.id)).toEqual(user);
    expect(await store.authenticate('no-such-hash', now, now - 60_000)).toBeNull();
    expect(await store.userById('nobody')).toBeNull();
    await store.renameUser(user.id, 'Grace H.');
    expect(await store.userById(user.id)).toEqual({ id: user.id, name: 'Grace H.' });
    await store.close();
  });

  it('keeps a session per device: several per user, revoked one by one, expired after idling', async () => {
    const store = await kind.open('sessions');
    const user = await newUser(store, 'Linus');
    await store.createSession(user.id, { id: 'second', tokenHash: 'hash-second', device: 'Firefox on Linux' });
    const t0 = Date.now();
    const first = await store.authenticate(`hash-${user.id}`, t0, t0 - 1000);
    expect(first?.session).toMatchObject({ id: `s-${user.id}`, userId: user.id, device: 'Test device' });
    expect((await store.sessionsOf(user.id)).map((session) => session.id).sort()).toEqual([`s-${user.id}`, 'second'].sort());

    // Revoking one leaves the other working; revoking it twice, or another user's, does nothing.
    expect(await store.revokeSession('someone-else', 'second')).toBe(false);
    expect(await store.revokeSession(user.id, 'second')).toBe(true);
    expect(await store.revokeSession(user.id, 'second')).toBe(false);
    expect(await store.authenticate('hash-second', t0, t0 - 1000)).toBeNull();
    expect(await store.authenticate(`hash-${user.id}`, t0, t0 - 1000)).not.toBeNull();

    // Seen a while later: the last-seen time moves (at most every few minutes)...
    const later = t0 + 10 * 60_000;
    expect((await store.authenticate(`hash-${user.id}`, later, later - 30 * 86_400_000))?.session.lastSeenAt).toBe(later);
    // ...and after idling past the limit the session is gone for good.
    const muchLater = later + 31 * 86_400_000;
    expect(await store.authenticate(`hash-${user.id}`, muchLater, muchLater - 30 * 86_400_000)).toBeNull();
    expect(await store.sessionsOf(user.id)).toEqual([]);
    await store.close();
  });

  it('stores a message once and answers a repeat with the same message, created: false', async () => {
    const store = await kind.open('idempotent');
    const author = await newUser(store);
    const first = await store.appendMessage(send(author, 'general', 'offset-1', 'first words'));
    expect(first.created).toBe(true);
    expect(first.message).toMatchObject({ room: 'general', seq: 1, author, clientOffset: 'offset-1', content: 'first words' });
    const again = await store.appendMessage(send(author, 'general', 'offset-1', 'first words'));
    expect(again).toEqual({ created: false, message: first.message });
    expect(await store.messagesAfter('general', 0, 10)).toEqual([first.message]);
    await store.close();
  });

  it('allocates gap-free per-room seqs and increasing ids under 200 concurrent appends across 3 rooms', async () => {
    const store = await kind.open('concurrent');
    const author = await newUser(store);
    const rooms = ['general', 'alpha', 'beta'];
    for (const room of rooms.slice(1)) await store.joinRoom(author.id, room, 'public');
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.appendMessage(send(author, rooms[i % 3], `c-${i}`))));
    expect(results.every((result) => result.created)).toBe(true);
    expectGapFreeAndOrdered(
      results.map((result) => result.message),
      rooms,
    );
    for (const room of rooms)
      expect((await store.messagesAfter(room, 0, 500)).length).toBe(results.filter((r) => r.message.room === room).length);
    await store.close();
  });

  it('resolves duplicates inside one batch to a single stored message', async () => {
    const store = await kind.open('batch-duplicates');
    const author = await newUser(store);
    const results = await Promise.all([
      store.appendMessage(send(author, 'general', 'before')),
      ...Array.from({ length: 5 }, () => store.appendMessage(send(author, 'general', 'same-key'))),
      store.appendMessage(send(author, 'general', 'after')),
    ]);
    const sameKey = results.slice(1, 6);
    expect(sameKey.filter((result) => result.created).length).toBe(1);
    expect(new Set(sameKey.map((result) => result.message.id)).size).toBe(1);
    const stored = await store.messagesAfter('general', 0, 10);
    expect(stored.map((m) => m.clientOffset)).toEqual(['before', 'same-key', 'after']);
    expect(stored.map((m) => m.seq)).toEqual([1, 2, 3]);
    await store.close();
  });

  it('gives the same page as JSON text, for catch-up to send as it is', async () => {
    const store = await kind.open('encoded');
    const author = await newUser(store, 'Zoë "Q" \\');
    for (let i = 1; i <= 7; i++) await store.appendMessage(send(author, 'general', `e-${i}`, `line\n${i} 😀 "q" \\ </script>`));
    const page = await store.encodedMessagesAfter('general', 2, 3);
    expect(JSON.parse(page.json)).toEqual(await store.messagesAfter('general', 2, 3));
    expect(page).toMatchObject({ count: 3, lastSeq: 5 });
    expect(await store.encodedMessagesAfter('general', 7, 3)).toEqual({ json: '[]', count: 0, lastSeq: 0 });
    // And as `message:rows`: the room and each author once, the same messages when read back.
    const rows = await store.encodedRowsAfter('general', 2, 3);
    expect(rows).toMatchObject({ count: 3, lastSeq: 5 });
    expect(JSON.parse(rows.json)).toMatchObject({ room: 'general', users: [[author.id, author.name]] });
    expect(messagesOfRows(JSON.parse(rows.json) as MessageRows)).toEqual(await store.messagesAfter('general', 2, 3));
    expect(JSON.parse((await store.encodedRowsAfter('general', 7, 3)).json)).toEqual({ room: 'general', users: [], rows: [] });
    // And as `message:packed`: the same, authors by number and numbers as steps.
    const packed = await store.encodedPackedAfter('general', 2, 3);
    expect(packed).toMatchObject({ count: 3, lastSeq: 5 });
    expect(JSON.parse(packed.json)).toMatchObject({ room: 'general', users: [[author.id, author.name]] });
    expect(messagesOfPacked(JSON.parse(packed.json) as MessagePacked)).toEqual(await store.messagesAfter('general', 2, 3));
    expect(JSON.parse((await store.encodedPackedAfter('general', 7, 3)).json)).toEqual({ room: 'general', users: [], rows: [] });
    // The page before a seq, in seq order, as the `before=` route sends it.
    const older = await store.encodedMessagesBefore('general', 6, 3);
    expect(JSON.parse(older.json)).toEqual(await store.messagesBefore('general', 6, 3));
    expect(older).toMatchObject({ count: 3, lastSeq: 5 });
    expect(await store.encodedMessagesBefore('general', 1, 3)).toEqual({ json: '[]', count: 0, lastSeq: 0 });
    await store.close();
  });

  it('pages messagesAfter by seq with a limit', async () => {
    const store = await kind.open('paging');
    const author = await newUser(store);
    for (let i = 1; i <= 12; i++) await store.appendMessage(send(author, 'general', `p-${i}`));
    expect((await store.messagesAfter('general', 0, 5)).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await store.messagesAfter('general', 5, 5)).map((m) => m.seq)).toEqual([6, 7, 8, 9, 10]);
    expect((await store.messagesAfter('general', 10, 5)).map((m) => m.seq)).toEqual([11, 12]);
    expect(await store.messagesAfter('general', 12, 5)).toEqual([]);
    expect(await store.messagesAfter('no-such-room', 0, 5)).toEqual([]);
    await store.close();
  });

  it('joins and leaves rooms, with general implicit and listed first', async () => {
    const store = await kind.open('rooms');
    const user = await newUser(store);
    const other = await newUser(store, 'Bob');
    expect(await store.roomsOf(user.id)).toEqual([{ id: 'general', lastSeq: 0, readSeq: 0, lastRev: 0 }]);
    expect(await store.isMember(user.id, 'general')).toBe(true);
    expect(await store.isMember(user.id, 'zeta')).toBe(false);

    expect(await store.joinRoom(user.id, 'zeta', 'public')).toBe(0);
    await store.appendMessage(send(user, 'zeta', 'z-1'));
    expect(await store.joinRoom(other.id, 'zeta', 'public')).toBe(1);
    const dm = `dm:${[user.id, other.id].sort().join(':')}`;
    expect(await store.joinRoom(user.id, dm, 'dm')).toBe(0);
    expect(await store.joinRoom(user.id, 'alpha', 'public')).toBe(0);
    expect(await store.joinRoom(user.id, 'alpha', 'public')).toBe(0);

    expect(await store.roomsOf(user.id)).toEqual([
      { id: 'general', lastSeq: 0, readSeq: 0, lastRev: 0 },
      ...[
        { id: 'alpha', lastSeq: 0, readSeq: 0, lastRev: 0 },
        { id: dm, lastSeq: 0, readSeq: 0, lastRev: 0 },
        { id: 'zeta', lastSeq: 1, readSeq: 0, lastRev: 0 },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    ]);
    expect(await store.isMember(user.id, 'zeta')).toBe(true);
    expect(await store.leaveRoom(user.id, 'zeta')).toBe(true);
    expect(await store.leaveRoom(user.id, 'zeta')).toBe(false);
    expect(await store.isMember(user.id, 'zeta')).toBe(false);
    expect(await store.isMember(other.id, 'zeta')).toBe(true);
    expect((await store.roomsOf(user.id)).map((room) => room.id)).not.toContain('zeta');
    await store.close();
  });

  it('keeps read cursors per user and room, only ever forward and never past the last seq', async () => {
    const store = await kind.open('reads');
    const user = await newUser(store);
    const other = await newUser(store, 'Bob');
    for (const offset of ['r-1', 'r-2', 'r-3']) await store.appendMessage(send(user, 'general', offset));
    const lastSeq = (await store.roomsOf(user.id))[0].lastSeq;
    expect(await store.markRead(user.id, 'general', lastSeq - 1)).toBe(lastSeq - 1);
    expect(await store.markRead(user.id, 'general', lastSeq - 2)).toBe(lastSeq - 1);
    expect(await store.markRead(user.id, 'general', lastSeq + 50)).toBe(lastSeq);
    expect((await store.roomsOf(user.id))[0]).toEqual({ id: 'general', lastSeq, readSeq: lastSeq, lastRev: 0 });
    expect((await store.roomsOf(other.id))[0]).toEqual({ id: 'general', lastSeq, readSeq: 0, lastRev: 0 });
    expect(await store.markRead(user.id, 'no-such-room', 4)).toBe(0);
    await store.close();
  });

  it('passes its health check while it can read and write', async () => {
    const store = await kind.open('health');
    await expect(store.checkHealth()).resolves.toBeUndefined();
    await expect(store.checkHealth()).resolves.toBeUndefined();
    await store.close();
  });

  it('commits appends still pending when close() is called, then refuses new ones', async () => {
    const store = await kind.open('closing');
    const author = await newUser(store);
    const pending = Array.from({ length: 20 }, (_, i) => store.appendMessage(send(author, 'general', `late-${i}`)));
    await store.close();
    const results = await Promise.all(pending);
    expect(results.every((result) => result.created)).toBe(true);
    await expect(store.appendMessage(send(author, 'general', 'too-late'))).rejects.toBeInstanceOf(StoreUnavailableError);

    const reopened = await kind.open('closing');
    expect((await reopened.messagesAfter('general', 0, 100)).map((m) => m.clientOffset)).toEqual(
      results.map((r) => r.message.clientOffset),
    );
    await reopened.close();
  });
}

describe('SQLite store', () => contract(sqliteKind));

describe.skipIf(!pgAvailable)('PostgreSQL store', () => {
  contract(postgresKind);
  describe('with several instances on one database', () => postgresInstances());
});

function postgresInstances(): void {
  const schemas: string[] = [];
  const openInstance = (schema: string) => openPostgresStore(TEST_DATABASE_URL, { schema, maxConnections: 4 });
  const fresh = (): string => {
    const schema = freshSchemaName('chat_multi');
    schemas.push(schema);
    return schema;
  };
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it('migrates once when three instances start together', async () => {
    const schema = fresh();
    const stores = await Promise.all([openInstance(schema), openInstance(schema), openInstance(schema)]);
    await Promise.all(stores.map((store) => store.checkHealth()));
    await Promise.all(stores.map((store) => store.close()));
    // One version row at the last step, and the seeded rows once.
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      expect((await client.query('SELECT version FROM schema_version')).rows).toEqual([{ version: migrations.length }]);
      expect((await client.query("SELECT id FROM rooms WHERE id = 'general'")).rowCount).toBe(1);
      expect((await client.query('SELECT last_id FROM message_ids')).rowCount).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('keeps seqs gap-free and ids in commit order when two instances write the same room', async () => {
    const schema = fresh();
    const [a, b] = [await openInstance(schema), await openInstance(schema)];
    const author = await newUser(a);
    await a.joinRoom(author.id, 'shared', 'public');

    // A reader tails by id while the writers run: an id below one it already saw must never appear later.
    const observer = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await observer.connect();
    let tailing = true;
    let highestSeen = 0;
    const seen = new Set<number>();
    const lateArrivals: number[] = [];
    const tail = (async () => {
      while (tailing) {
        const { rows } = await observer.query<{ id: string }>('SELECT id FROM messages');
        const ids = rows.map((row) => Number(row.id));
        for (const id of ids) if (!seen.has(id) && id < highestSeen) lateArrivals.push(id);
        for (const id of ids) seen.add(id);
        highestSeen = Math.max(highestSeen, ...ids, 0);
      }
    })();

    const rooms = ['shared', 'general'];
    const writes = Array.from({ length: 300 }, (_, i) => {
      const store = i % 2 === 0 ? a : b;
      return new Promise<void>((resolve) => setTimeout(resolve, i % 30)).then(() =>
        store.appendMessage(send(author, rooms[i % 4 < 3 ? 0 : 1], `m-${i}`)),
      );
    });
    const results = await Promise.all(writes);
    tailing = false;
    await tail;
    await observer.end();

    expectGapFreeAndOrdered(
      results.map((result) => result.message),
      rooms,
    );
    expect(lateArrivals).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('resolves the same key sent to two instances at once to one stored message', async () => {
    const schema = fresh();
    const [a, b] = [await openInstance(schema), await openInstance(schema)];
    const author = await newUser(a);
    const keys = Array.from({ length: 50 }, (_, i) => `dup-${i}`);
    const fromA = keys.map((key) => a.appendMessage(send(author, 'general', key)));
    const fromB = keys.map((key) => b.appendMessage(send(author, 'general', key)));
    const [answersA, answersB] = await Promise.all([Promise.all(fromA), Promise.all(fromB)]);
    answersA.forEach((answer, i) => {
      expect(answersB[i].message).toEqual(answer.message);
      expect(Number(answer.created) + Number(answersB[i].created)).toBe(1);
    });
    const stored = await b.messagesAfter('general', 0, 500);
    expect(stored.length).toBe(keys.length);
    expect(stored.map((m) => m.seq)).toEqual(keys.map((_, i) => i + 1));
    await Promise.all([a.close(), b.close()]);
  });

  it('answers unavailable while PostgreSQL is unreachable and recovers when it returns', async () => {
    const schema = fresh();
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const store = await openPostgresStore(viaProxy.toString(), { schema });
    try {
      const author = await newUser(store);
      expect((await store.appendMessage(send(author, 'general', 'before-outage'))).created).toBe(true);

      await proxy.cut();
      await expect(store.appendMessage(send(author, 'general', 'during-outage'))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.checkHealth()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.messagesAfter('general', 0, 10)).rejects.toBeInstanceOf(StoreUnavailableError);

      await proxy.restore();
      await store.checkHealth();
      const retried = await store.appendMessage(send(author, 'general', 'during-outage'));
      expect(retried.message.seq).toBe(2);
      expect((await store.messagesAfter('general', 0, 10)).map((m) => m.clientOffset)).toEqual(['before-outage', 'during-outage']);
    } finally {
      await store.close();
      await proxy.close();
    }
  });
}
