/** Picks the store the config asks for: embedded SQLite by default. */
import type { Config } from '../config';
import { openSqliteStore } from './sqlite';
import type { Store } from './store';

export async function openStore(config: Pick<Config, 'dbPath' | 'sqliteSync' | 'databaseUrl'>): Promise<Store> {
  if (config.databaseUrl) throw new Error('CHAT_DATABASE_URL: the PostgreSQL store is not available in this build');
  return openSqliteStore(config.dbPath, { synchronous: config.sqliteSync });
}
