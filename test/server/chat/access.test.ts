/** Who may read or post where: DM ids, and accessTo on a real (in-memory) SQLite store. */
import { afterAll, describe, expect, it } from 'vitest';
import { accessTo, dmParticipants, dmRoomId } from '../../../server/chat/access';
import { openSqliteStore } from '../../../server/store/sqlite';

describe('DM ids', () => {
  it('are the same whichever of the two people computes them, ids sorted', () => {
    expect(dmRoomId('bob', 'ana')).toBe('dm:ana:bob');
    expect(dmRoomId('ana', 'bob')).toBe('dm:ana:bob');
    expect(dmRoomId('ana', 'ana')).toBe('dm:ana:ana');
  });

  it('name their two participants, and public rooms have none', () => {
    expect(dmParticipants('dm:ana:bob')).toEqual(['ana', 'bob']);
    expect(dmParticipants(dmRoomId('x_1', 'Y-2'))).toEqual(['Y-2', 'x_1']);
    expect(dmParticipants('general')).toBeNull();
    expect(dmParticipants('book-club')).toBeNull();
    expect(dmParticipants('dm:only-one')).toBeNull();
  });
});

describe('accessTo', () => {
  const store = openSqliteStore(':memory:');
  afterAll(() => store.close());
  const users = Promise.all(
    ['ana', 'bob', 'eve'].map(async (id) => {
      await store.createUser({ id, name: id }, { id: `s-${id}`, tokenHash: `hash-${id}`, device: 'test' });
      return id;
    }),
  );

  it('makes everyone a member of general', async () => {
    await users;
    expect(await accessTo(store, 'eve', 'general')).toBe('member');
  });

  it('lets anyone read a public room but only members post: public until joined', async () => {
    await users;
    await store.joinRoom('ana', 'design', 'public');
    expect(await accessTo(store, 'ana', 'design')).toBe('member');
    expect(await accessTo(store, 'bob', 'design')).toBe('public');
    expect(await accessTo(store, 'bob', 'never-created')).toBe('public');
  });

  it('keeps a DM for its two people once opened, and forbids it to everyone else, even before it exists', async () => {
    await users;
    const dm = dmRoomId('ana', 'bob');
    expect(await accessTo(store, 'ana', dm)).toBe('forbidden');
    await store.joinRoom('ana', dm, 'dm');
    await store.joinRoom('bob', dm, 'dm');
    expect(await accessTo(store, 'ana', dm)).toBe('member');
    expect(await accessTo(store, 'bob', dm)).toBe('member');
    expect(await accessTo(store, 'eve', dm)).toBe('forbidden');
    // Even a store row saying otherwise does not let an outsider in: the id decides first.
    await store.joinRoom('eve', dm, 'dm');
    expect(await accessTo(store, 'eve', dm)).toBe('forbidden');
  });
});
