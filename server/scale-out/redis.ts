/**
 * The one Redis connection of a process (scale-out mode): connects at startup
 * or fails with one line naming CHAT_REDIS_URL, then reconnects by itself for as
 * long as the process lives. Errors while connected are logged, never thrown.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { createClient } from 'redis';
import { serviceAddress, unreachableService, type Config } from '../config';
import { log } from '../observe/log';

/** CLIENT SETNAME of every connection of this process (copies made by duplicate() included), to find them in CLIENT LIST. */
export const CONNECTION_NAME = `chat:${hostname().replace(/\s/g, '-')}:${process.pid}`;

function newClient(url: string, retry: (retries: number, cause: Error) => number | Error) {
  return createClient({ url, name: CONNECTION_NAME, socket: { connectTimeout: 5_000, reconnectStrategy: retry } });
}

export type RedisConnection = ReturnType<typeof newClient>;

export async function connectRedis(url: string): Promise<RedisConnection> {
  let everReady = false;
  let lost = false;
  const where = serviceAddress(url, 6379);
  // At startup a missing Redis is a configuration problem: fail fast. Later it is an outage: keep retrying.
  const client = newClient(url, (retries, cause) => (everReady ? Math.min(100 * 2 ** retries, 2_000) : cause));
  client.on('error', (error: Error) => {
    if (!everReady || lost) return;
    lost = true;
    log.warn(`redis: connection to ${where} lost (${error.message}); retrying`);
  });
  client.on('ready', () => {
    if (lost) log.warn(`redis: reconnected to ${where}`);
    everReady = true;
    lost = false;
  });
  try {
    await client.connect();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      unreachableService('CHAT_REDIS_URL', 'Redis', url, 6379, error) ??
        `CHAT_REDIS_URL: Redis at ${where} refused the connection: ${message}`,
    );
  }
  return client;
}

const shared = new Map<string, Promise<RedisConnection>>();

/**
 * The process's one connection to `url`: the adapter and the rate limiter both
 * call this and get the same client, however they are wired.
 */
export function sharedRedis(url: string): Promise<RedisConnection> {
  let connection = shared.get(url);
  if (!connection) {
    connection = connectRedis(url);
    shared.set(url, connection);
    // A failed startup connect must not be cached: the caller may retry.
    connection.catch(() => shared.delete(url));
  }
  return connection;
}

/**
 * Prefix of every Redis key and channel of a deployment. Instances share Redis
 * state exactly when they share data, so it is named after the store (database
 * URL without its password, or the SQLite path): two deployments, or two test
 * runs, on one Redis never see each other's broadcasts or budgets.
 */
export function redisNamespace(config: Pick<Config, 'databaseUrl' | 'dbPath'>): string {
  let identity = `sqlite:${config.dbPath}`;
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    url.password = '';
    identity = url.toString();
  }
  return `chat:${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}
