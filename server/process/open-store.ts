/**
 * Picks the store the config asks for: embedded SQLite by default, PostgreSQL
 * when CHAT_DATABASE_URL is set (scale-out). A PostgreSQL that cannot be reached
 * at startup stops the server with one line naming the variable.
 */
import { ConfigError, serviceAddress, unreachableService, type Config } from '../config';
import { openSqliteStore } from '../store/sqlite';
import type { PushStore } from '../store/push-store';
import { openSqlitePushStore } from '../store/sqlite-push';
import type { ConnectionDurability, Store } from '../store/store';
import { appendThroughPrimary } from './cluster-appends';

/** `clustered`: a worker of the SQLite cluster, whose sends the primary commits (cluster-appends.ts). */
export async function openStore(
  config: Pick<Config, 'dbPath' | 'sqliteSync' | 'databaseUrl'> & Partial<Pick<Config, 'changeRules'>>,
  clustered = false,
): Promise<Store> {
  if (!config.databaseUrl)
    return openSqliteStore(config.dbPath, {
      synchronous: config.sqliteSync,
      appender: clustered ? appendThroughPrimary() : undefined,
      rules: config.changeRules,
    });
  try {
    // Loaded only in this mode: the embedded default never pays for the PostgreSQL driver.
    const { openPostgresStore } = await import('../store/postgres');
    return await openPostgresStore(config.databaseUrl, { rules: config.changeRules });
  } catch (error) {
    throw new Error(describePostgresFailure(config.databaseUrl, error));
  }
}

/** The Web Push tables of the same database, on a connection of their own; open the Store first (it migrates). */
export async function openPushStore(config: Pick<Config, 'dbPath' | 'databaseUrl'>): Promise<PushStore> {
  if (!config.databaseUrl) return openSqlitePushStore(config.dbPath);
  const { openPostgresPushStore } = await import('../store/postgres-push');
  return openPostgresPushStore(config.databaseUrl);
}

/** e.g. `CHAT_DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:5432 (ECONNREFUSED)`; never prints the password. */
export function describePostgresFailure(url: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ConfigError) return `CHAT_DATABASE_URL: ${message}`;
  const code = (error as { code?: unknown } | null)?.code;
  return (
    unreachableService('CHAT_DATABASE_URL', 'PostgreSQL', url, 5432, error) ??
    `CHAT_DATABASE_URL: PostgreSQL at ${serviceAddress(url, 5432)} refused to start the store: ${message}${typeof code === 'string' ? ` (${code})` : ''}`
  );
}

/** The startup line that states how commits are made durable, e.g. `durability: SQLite append connection journal_mode=WAL synchronous=FULL (read back)`. */
export function durabilityLine(connections: ConnectionDurability[]): string {
  const each = connections.map((c) => `${c.connection} connection journal_mode=${c.journalMode} synchronous=${c.synchronous}`);
  return `durability: SQLite ${each.join(', ')} (read back from SQLite)`;
}
