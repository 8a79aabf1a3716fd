/**
 * The optional services of the scale-out mode (PostgreSQL, Redis) for tests:
 * probes that decide whether a suite can run, and fresh schemas so runs never
 * see each other's rows. Without CI a missing service skips loudly; with CI set
 * the suite runs anyway and fails, so a broken CI setup is never green.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import pg from 'pg';
import { createClient } from 'redis';

export const TEST_DATABASE_URL = process.env.CHAT_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.CHAT_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Resolves to null when PostgreSQL answers a query, else to the reason it did not. */
export async function postgresProblem(url = TEST_DATABASE_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `${(error as Error).message || (error as { code?: string }).code || 'unknown error'}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Resolves to null when Redis answers PING, else to the reason it did not (raw RESP, no client library needed). */
export function redisProblem(url = TEST_REDIS_URL): Promise<string | null> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const timer = setTimeout(() => finish('timed out'), 3_000);
    function finish(problem: string | null): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    }
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) =>
      finish(data.toString().startsWith('+PONG') ? null : `unexpected answer ${JSON.stringify(data.toString())}`),
    );
    socket.once('error', (error) => finish((error as { code?: string }).code ?? error.message));
  });
}

/**
 * Whether a suite needing `service` should run. Prints a loud warning when it
 * will be skipped; under CI it always runs (and fails if the service is missing).
 */
export function shouldRun(service: string, problem: string | null): boolean {
  if (problem === null) return true;
  if (process.env.CI) return true;
  console.warn(
    `\n${'!'.repeat(72)}\n!! SKIPPING ${service} tests: ${problem}\n!! Start the service (or set CI=1 to make this a failure).\n${'!'.repeat(72)}\n`,
  );
  return false;
}

export function freshSchemaName(prefix = 'chat_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The database URL with `?schema=` set, as the server and openPostgresStore understand it. */
export function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const redisClient = (url: string) => createClient({ url });

/** Runs `work` on a connection of its own to Redis, closed afterwards. */
async function withRedis<T>(url: string, work: (client: ReturnType<typeof redisClient>) => Promise<T>): Promise<T> {
  const client = redisClient(url);
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

/** Deletes every Redis key under `prefix` (a test run's stream and rate buckets). */
export function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  return withRedis(url, async (client) => {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length > 0) await client.del(keys);
  });
}

/** Every entry of a Redis stream, oldest first (what the adapter and the message feed appended). */
export function streamEntries(key: string, url = TEST_REDIS_URL): Promise<Array<Record<string, string>>> {
  return withRedis(url, async (client) => {
    const entries = (await client.xRange(key, '-', '+')) ?? [];
    return entries.map((entry) => ({ ...entry.message }) as Record<string, string>);
  });
}
