/**
 * Picks the store the config asks for: embedded SQLite by default, PostgreSQL
 * when CHAT_DATABASE_URL is set (scale-out). A PostgreSQL that cannot be reached
 * at startup stops the server with one line naming the variable.
 */
import { ConfigError, type Config } from '../config';
import { openPostgresStore } from './postgres';
import { appendThroughPrimary } from './cluster-append';
import { openSqliteStore } from './sqlite';
import type { Store } from './store';

/** `clustered`: a worker of the SQLite cluster, whose sends the primary commits (cluster-append.ts). */
export async function openStore(config: Pick<Config, 'dbPath' | 'sqliteSync' | 'databaseUrl'>, clustered = false): Promise<Store> {
  if (!config.databaseUrl)
    return openSqliteStore(config.dbPath, { synchronous: config.sqliteSync, appender: clustered ? appendThroughPrimary() : undefined });
  try {
    return await openPostgresStore(config.databaseUrl);
  } catch (error) {
    throw new Error(describePostgresFailure(config.databaseUrl, error));
  }
}

/** e.g. `CHAT_DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:5432 (ECONNREFUSED)`; never prints the password. */
export function describePostgresFailure(url: string, error: unknown): string {
  let where = 'the configured address';
  try {
    const parsed = new URL(url);
    where = `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    // config.ts already validated the URL; keep the generic wording just in case.
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ConfigError) return `CHAT_DATABASE_URL: ${message}`;
  const code = errorCode(error);
  if (code && /^E[A-Z]+$/.test(code)) return `CHAT_DATABASE_URL: cannot reach PostgreSQL at ${where} (${code})`;
  if (/timeout/i.test(message)) return `CHAT_DATABASE_URL: cannot reach PostgreSQL at ${where} (connection timed out)`;
  return `CHAT_DATABASE_URL: PostgreSQL at ${where} refused to start the store: ${message}${code ? ` (${code})` : ''}`;
}

/** Node network errors carry `code`; a failed dual-stack connect wraps them in an AggregateError. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (error as { errors?: unknown }).errors;
  return Array.isArray(inner) ? errorCode(inner[0]) : undefined;
}
