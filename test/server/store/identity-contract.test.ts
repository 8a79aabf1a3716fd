/** The identity part of the Store contract, on SQLite and PostgreSQL: challenges and link codes work once and expire; handles are unique. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../server/store/postgres';
import { openSqliteStore } from '../../../server/store/sqlite';
import type { Store } from '../../../server/store/store';
import { tempDir } from '../../support/server';
import { dropSchema, freshSchemaName, postgresProblem, shouldRun, TEST_DATABASE_URL } from '../../support/services';

const pgAvailable = shouldRun('PostgreSQL identity contract', await postgresProblem());
const dir = tempDir('chat-identity-');
const schema = freshSchemaName('chat_identity');

const kinds: Array<{ name: string; run: boolean; open(): Promise<Store> }> = [
  { name: 'SQLite', run: true, open: async () => openSqliteStore(join(dir.path, 'identity.db'), { synchronous: 'NORMAL' }) },
  { name: 'PostgreSQL', run: pgAvailable, open: () => openPostgresStore(TEST_DATABASE_URL, { schema }) },
];

afterAll(async () => {
  dir.remove();
  if (pgAvailable) await dropSchema(schema);
});

describe.each(kinds)('identity records on $name', ({ run, open }) => {
  it.skipIf(!run)('takes a challenge once, only for its purpose, and never after it expired', async () => {
    const store = await open();
    const now = Date.now();
    await store.saveChallenge({ challenge: 'c-once', purpose: 'login', userId: null, expiresAt: now + 60_000 });
    await store.saveChallenge({ challenge: 'c-old', purpose: 'login', userId: null, expiresAt: now - 1 });
    await store.saveChallenge({ challenge: 'c-reg', purpose: 'register', userId: 'someone', expiresAt: now + 60_000 });
    expect(await store.takeChallenge('c-reg', 'login', now)).toBeNull();
    expect(await store.takeChallenge('c-once', 'login', now)).toMatchObject({ challenge: 'c-once', purpose: 'login', userId: null });
    expect(await store.takeChallenge('c-once', 'login', now)).toBeNull();
    expect(await store.takeChallenge('c-old', 'login', now)).toBeNull();
    expect(await store.takeChallenge('c-reg', 'register', now)).toMatchObject({ userId: 'someone' });
    await store.close();
  });

  it.skipIf(!run)('redeems a link code once and not after it expired; keeps handles unique; keeps passkeys per user', async () => {
    const store = await open();
    const now = Date.now();
    for (const id of ['u-ana', 'u-bob']) await store.createUser({ id, name: id }, { id: `s-${id}`, tokenHash: `h-${id}`, device: 'test' });
    await store.saveLinkCode('code-1', 'u-ana', now + 60_000);
    await store.saveLinkCode('code-2', 'u-ana', now - 1);
    expect(await store.takeLinkCode('code-1', now)).toBe('u-ana');
    expect(await store.takeLinkCode('code-1', now)).toBeNull();
    expect(await store.takeLinkCode('code-2', now)).toBeNull();

    expect(await store.claimHandle('u-ana', 'ana')).toBe(true);
    expect(await store.claimHandle('u-bob', 'ana')).toBe(false);
    expect(await store.claimHandle('u-ana', 'ana2')).toBe(true);
    expect(await store.claimHandle('u-bob', 'ana')).toBe(true);
    expect(await store.userByHandle('ana')).toEqual({ id: 'u-bob', name: 'u-bob', handle: 'ana' });
    expect(await store.userById('u-ana')).toEqual({ id: 'u-ana', name: 'u-ana', handle: 'ana2' });

    const publicKey = new Uint8Array([1, 2, 3, 250]);
    await store.addPasskey({
      id: 'cred-1',
      userId: 'u-ana',
      publicKey,
      counter: 0,
      transports: ['internal', 'hybrid'],
      device: 'Chrome on Android',
      createdAt: now,
    });
    const found = await store.passkeyById('cred-1');
    expect(found).toMatchObject({ userId: 'u-ana', counter: 0, transports: ['internal', 'hybrid'], lastUsedAt: null });
    expect([...(found?.publicKey ?? [])]).toEqual([1, 2, 3, 250]);
    await store.passkeyUsed('cred-1', 7, now + 5);
    expect((await store.passkeysOf('u-ana')).map((passkey) => [passkey.id, passkey.counter, passkey.lastUsedAt])).toEqual([
      ['cred-1', 7, now + 5],
    ]);
    expect(await store.removePasskey('u-bob', 'cred-1')).toBe(false);
    expect(await store.removePasskey('u-ana', 'cred-1')).toBe(true);
    expect(await store.passkeyById('cred-1')).toBeNull();
    await store.close();
  });
});
