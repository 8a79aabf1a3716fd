/** A database from before sessions existed keeps every device signed in after the upgrade. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../../server/chat/identity';
import { migrations } from '../../../server/store/sqlite-schema';
import { openSqliteStore } from '../../../server/store/sqlite';
import { tempDir } from '../../support/server';

describe('the sessions migration on SQLite', () => {
  const dir = tempDir('chat-migrate-');
  afterAll(() => dir.remove());

  it('turns each v1 token into a session that still authenticates, seen now', async () => {
    const path = join(dir.path, 'old.db');
    const old = new Database(path);
    // The schema as the version before sessions left it.
    for (const step of migrations.slice(0, 2)) old.exec(step);
    old.pragma('user_version = 2');
    old
      .prepare('INSERT INTO users (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)')
      .run('ana', 'Ana', hashToken('old-token'), 1_000);
    old.close();

    const store = openSqliteStore(path, { synchronous: 'NORMAL' });
    const now = Date.now();
    const found = await store.authenticate(hashToken('old-token'), now, now - 86_400_000);
    expect(found?.user).toEqual({ id: 'ana', name: 'Ana' });
    expect(found?.session.lastSeenAt).toBeGreaterThan(now - 60_000);
    await store.close();
  });
});
