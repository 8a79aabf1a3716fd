/** The one send path, on a real SQLite store in a temp dir with a publish that only records. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Message, User } from '../../../shared/protocol';
import { dmRoomId } from '../../../server/chat/access';
import { createRateLimiter, type RateLimiter } from '../../../server/chat/rate-limit';
import { sendMessage, type SendDeps } from '../../../server/chat/send-message';
import { openSqliteStore } from '../../../server/store/sqlite';
import type { Store } from '../../../server/store/store';
import { tempDir } from '../../support/server';
import { log } from '../../../server/observe/log';

const ana: User = { id: 'ana', name: 'Ana' };
const bob: User = { id: 'bob', name: 'Bob' };

describe('sendMessage', () => {
  const dir = tempDir('chat-send-');
  let store: Store;
  let published: Message[];
  let deps: SendDeps;
  const unlimited: RateLimiter = createRateLimiter(null);

  beforeAll(async () => {
    store = openSqliteStore(join(dir.path, 'chat.db'));
    for (const user of [ana, bob]) await store.createUser(user, { id: `s-${user.id}`, tokenHash: `hash-${user.id}`, device: 'test' });
  });
  afterAll(async () => {
    await store.close();
    dir.remove();
  });
  const reset = (limiter = unlimited) => {
    published = [];
    deps = { store, limiter, publish: (message) => published.push(message) };
  };

  it('stores a new message, answers created, and publishes it once', async () => {
    reset();
    const outcome = await sendMessage(deps, ana, { room: 'general', clientOffset: 'new-1', content: 'hello' });
    expect(outcome).toMatchObject({ ok: true, created: true, message: { room: 'general', author: ana, clientOffset: 'new-1' } });
    if (!outcome.ok) return;
    expect(published).toEqual([outcome.message]);
    expect(await store.messagesAfter('general', outcome.message.seq - 1, 10)).toEqual([outcome.message]);
  });

  it('answers a repeated clientOffset with the message as first stored and publishes nothing', async () => {
    reset();
    const first = await sendMessage(deps, ana, { room: 'general', clientOffset: 'again-1', content: 'once' });
    const again = await sendMessage(deps, ana, { room: 'general', clientOffset: 'again-1', content: 'once, edited' });
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again).toEqual({ ok: true, created: false, message: first.message });
    expect(published).toEqual([first.message]);
    // The key is per author: Bob may use the same clientOffset.
    const bobs = await sendMessage(deps, bob, { room: 'general', clientOffset: 'again-1', content: 'mine' });
    expect(bobs).toMatchObject({ ok: true, created: true, message: { author: bob, seq: first.message.seq + 1 } });
  });

  it('forbids a DM of others and a public room not joined, storing and publishing nothing', async () => {
    reset();
    const before = (await store.roomsOf(ana.id))[0].lastSeq;
    const dmOfOthers = await sendMessage(deps, ana, { room: dmRoomId('bob', 'eve'), clientOffset: 'f-1', content: 'hi' });
    expect(dmOfOthers).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const notJoined = await sendMessage(deps, ana, { room: 'book-club', clientOffset: 'f-2', content: 'hi' });
    expect(notJoined).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('room:join') } });
    expect(published).toEqual([]);
    expect((await store.roomsOf(ana.id))[0].lastSeq).toBe(before);
  });

  it('posts in a public room once joined, and in a DM by either of its two people', async () => {
    reset();
    await store.joinRoom(ana.id, 'book-club', 'public');
    expect(await sendMessage(deps, ana, { room: 'book-club', clientOffset: 'j-1', content: 'hi' })).toMatchObject({
      ok: true,
      message: { room: 'book-club', seq: 1 },
    });
    const dm = dmRoomId(ana.id, bob.id);
    await store.joinRoom(ana.id, dm, 'dm');
    await store.joinRoom(bob.id, dm, 'dm');
    expect(await sendMessage(deps, bob, { room: dm, clientOffset: 'd-1', content: 'psst' })).toMatchObject({
      ok: true,
      message: { room: dm, seq: 1 },
    });
    expect(published.map((message) => message.room)).toEqual(['book-club', dm]);
  });

  it('refuses a flood with rate_limited and retryAfterMs, after the access check and before storing', async () => {
    let now = 0;
    reset(createRateLimiter({ perSecond: 1, burst: 2 }, () => now));
    const outcomes = [];
    for (const n of [1, 2, 3]) outcomes.push(await sendMessage(deps, ana, { room: 'general', clientOffset: `rl-${n}`, content: 'spam' }));
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, false]);
    expect(outcomes[2]).toEqual({ ok: false, error: { code: 'rate_limited', message: expect.any(String), retryAfterMs: 1000 } });
    expect(published).toHaveLength(2);
    expect(await store.messagesAfter('general', 0, 500)).not.toContainEqual(expect.objectContaining({ clientOffset: 'rl-3' }));
    // A forbidden send costs no token.
    await sendMessage(deps, ana, { room: dmRoomId('bob', 'eve'), clientOffset: 'rl-4', content: 'x' });
    now = 1000;
    expect((await sendMessage(deps, ana, { room: 'general', clientOffset: 'rl-3', content: 'spam' })).ok).toBe(true);
  });

  it('answers unavailable, with no SQL or stack in the message, when the store fails', async () => {
    const broken = openSqliteStore(join(dir.path, 'broken.db'));
    await broken.createUser(ana, { id: `s-${ana.id}`, tokenHash: 'hash-ana', device: 'test' });
    await broken.close();
    const logged = vi.spyOn(log, 'error').mockImplementation(() => undefined);
    try {
      const outcome = await sendMessage({ store: broken, limiter: unlimited, publish: () => expect.fail('nothing was stored') }, ana, {
        room: 'general',
        clientOffset: 'u-1',
        content: 'hi',
      });
      expect(outcome).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      if (!outcome.ok) expect(outcome.error.message).not.toMatch(/sqlite|SQL|at \w+ \(/i);
      expect(logged).toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });
});
