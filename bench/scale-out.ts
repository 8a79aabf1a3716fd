/**
 * Our server in scale-out mode for the bench: one or two instances (each a node:cluster
 * of OUR_WORKERS workers, as `npm start` runs it) sharing PostgreSQL and Redis. Every
 * start gets a fresh schema and, as Redis keys are named after the database URL, a
 * fresh Redis namespace, so a bench never meets the rows or streams of a test running
 * beside it; both are dropped afterwards. The instances' connections carry an
 * application_name of their own, so PostgreSQL's CPU can be read for them alone.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createClient } from 'redis';
import { redisNamespace } from '../server/scale-out/redis';
import {
  deleteRedisKeys,
  dropSchema,
  postgresProblem,
  redisProblem,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  urlWithSchema,
} from '../test/support/services';
import type { ServiceSettings } from './report/raw';
import { SCALE_OUT_INSTANCES, startServer, type BenchServer, type ServerKind, type StartOptions } from './servers';

/** Where the bench finds the services: CHAT_BENCH_DATABASE_URL / CHAT_BENCH_REDIS_URL, else the tests' defaults. */
export const BENCH_DATABASE_URL = process.env.CHAT_BENCH_DATABASE_URL || TEST_DATABASE_URL;
export const BENCH_REDIS_URL = process.env.CHAT_BENCH_REDIS_URL || TEST_REDIS_URL;

export type ScaleOutDeployment = {
  instances: BenchServer[];
  /** The database without our schema, for reading pg_stat_activity. */
  databaseUrl: string;
  /** What our instances' PostgreSQL connections call themselves. */
  applicationName: string;
};

/** The database URL the instances get: a fresh schema and our application_name. */
export function deploymentUrl(base: string, schema: string, applicationName: string): string {
  const url = new URL(urlWithSchema(base, schema));
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

/** Whether process `pid` runs on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops what an interrupted bench left behind (Ctrl-C exits without the cleanup below):
 * schemas named after a bench process that no longer runs, and their Redis keys.
 */
async function dropOrphans(): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  let orphans: string[] = [];
  try {
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'chat\\_bench\\_%'");
    orphans = rows
      .map((row) => row.nspname)
      .filter((schema) => {
        const pid = Number(/^chat_bench_(\d+)_[0-9a-f]{8}$/.exec(schema)?.[1]);
        return Number.isInteger(pid) && pid > 0 && !alive(pid);
      });
  } catch {
    return;
  } finally {
    await client.end().catch(() => undefined);
  }
  for (const schema of orphans) {
    await dropSchema(schema, BENCH_DATABASE_URL).catch(() => undefined);
    const databaseUrl = deploymentUrl(BENCH_DATABASE_URL, schema, schema);
    await deleteRedisKeys(redisNamespace({ databaseUrl, dbPath: '' }), BENCH_REDIS_URL).catch(() => undefined);
  }
}

export async function withScaleOut<T>(
  kind: ServerKind,
  options: StartOptions,
  started: (server: BenchServer) => void,
  task: (deployment: ScaleOutDeployment) => Promise<T>,
): Promise<T> {
  const count = SCALE_OUT_INSTANCES[kind];
  if (count === undefined) throw new Error(`${kind} is not a scale-out kind`);
  const problems = [await postgresProblem(BENCH_DATABASE_URL), await redisProblem(BENCH_REDIS_URL)].filter(Boolean);
  if (problems.length > 0)
    throw new Error(`${kind} needs PostgreSQL at ${BENCH_DATABASE_URL} and Redis at ${BENCH_REDIS_URL}: ${problems.join('; ')}`);
  await dropOrphans();
  const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
  // The same name for both: an orphaned schema's Redis namespace can be found again from it.
  const schema = `chat_bench_${id}`;
  const applicationName = schema;
  const databaseUrl = deploymentUrl(BENCH_DATABASE_URL, schema, applicationName);
  const env = { ...options.env, CHAT_DATABASE_URL: databaseUrl, CHAT_REDIS_URL: BENCH_REDIS_URL };
  // Started together, as a deployment's machines would be: the migration lock lets both come up on the fresh schema.
  const starts = await Promise.allSettled(Array.from({ length: count }, () => startServer(kind, { ...options, env })));
  const instances = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
  try {
    const failed = starts.find((start): start is PromiseRejectedResult => start.status === 'rejected');
    if (failed) throw failed.reason;
    instances.forEach(started);
    return await task({ instances, databaseUrl: BENCH_DATABASE_URL, applicationName });
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    await dropSchema(schema, BENCH_DATABASE_URL).catch(() => undefined);
    await deleteRedisKeys(redisNamespace({ databaseUrl, dbPath: '' }), BENCH_REDIS_URL).catch(() => undefined);
  }
}

/**
 * What PostgreSQL and Redis ran with, for the report: their durability decides what an ack
 * means (SQLite runs with synchronous=FULL: an acked message is on disk). Null where unreadable.
 */
export async function readServiceSettings(): Promise<ServiceSettings> {
  const settings: ServiceSettings = { postgres: null, redis: null };
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name = ANY('{server_version,fsync,synchronous_commit,wal_sync_method,max_connections}')",
    );
    settings.postgres = Object.fromEntries(result.rows.map((row) => [row.name, row.setting]));
  } catch {
    // unreachable: the runs themselves will say so
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = createClient({ url: BENCH_REDIS_URL });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
    const appendonly = (await redis.configGet('appendonly')).appendonly ?? 'unknown';
    settings.redis = { redis_version: version, appendonly };
  } catch {
    // as above
  } finally {
    redis.destroy();
  }
  return settings;
}
