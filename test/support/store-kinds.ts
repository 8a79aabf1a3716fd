/**
 * Both Store implementations behind one shape, for contract tests: SQLite in a
 * temp dir and PostgreSQL in a fresh schema per store name (dropped afterwards).
 */
import { join } from 'node:path';
import type { User } from '../../shared/protocol';
import { openPostgresStore } from '../../server/store/postgres';
import { openSqliteStore } from '../../server/store/sqlite';
import type { ChangeRules, NewMessage, Store } from '../../server/store/store';
import { tempDir } from './server';
import { dropSchema, freshSchemaName, TEST_DATABASE_URL } from './services';

export type StoreKind = {
  name: string;
  /** Opens the suite's store; the same `name` reopens the same data. */
  open(name?: string, rules?: ChangeRules): Promise<Store>;
  cleanup(): Promise<void>;
};

export function sqliteKind(): StoreKind {
  const dir = tempDir('chat-store-');
  return {
    name: 'SQLite',
    open: async (name = 'chat', rules) => openSqliteStore(join(dir.path, `${name}.db`), { synchronous: 'NORMAL', rules }),
    cleanup: async () => dir.remove(),
  };
}

export function postgresKind(): StoreKind {
  const schemas = new Map<string, string>();
  const schemaFor = (name: string): string => {
    const existing = schemas.get(name);
    if (existing) return existing;
    const fresh = freshSchemaName('chat_contract');
    schemas.set(name, fresh);
    return fresh;
  };
  return {
    name: 'PostgreSQL',
    open: (name = 'chat', rules) => openPostgresStore(TEST_DATABASE_URL, { schema: schemaFor(name), rules }),
    cleanup: async () => {
      for (const schema of schemas.values()) await dropSchema(schema);
    },
  };
}

let userCounter = 0;
/** A user with one session whose token hash is `hash-<id>`. */
export async function newUser(store: Store, name = 'Ada'): Promise<User> {
  const user = { id: `u${++userCounter}_${Math.random().toString(36).slice(2, 8)}`, name };
  await store.createUser(user, { id: `s-${user.id}`, tokenHash: `hash-${user.id}`, device: 'Test device' });
  return user;
}

export const send = (author: User, room: string, clientOffset: string, content = `hello from ${clientOffset}`): NewMessage => ({
  room,
  author,
  clientOffset,
  content,
});
