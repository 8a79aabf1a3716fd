/**
 * The bench's scale-out plumbing against real PostgreSQL and Redis: two instances on a
 * fresh schema, the load clients split between them (so messages cross Redis), the CPU
 * split read from /proc for both instances and our PostgreSQL backends, and nothing left
 * behind afterwards (schema dropped, Redis keys deleted).
 */
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { startCpuMeter } from '../../bench/cpu-meter';
import { runThroughput } from '../../bench/load/scenarios';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, deploymentUrl, withScaleOut } from '../../bench/scale-out';
import { cleanupAll, type BenchServer } from '../../bench/servers';
import { redisNamespace } from '../../server/scale-out/redis';
import { postgresProblem, redisProblem, shouldRun } from '../support/services';

const problems = [await postgresProblem(BENCH_DATABASE_URL), await redisProblem(BENCH_REDIS_URL)].filter((problem) => problem !== null);
const servicesAvailable = shouldRun('bench scale-out (PostgreSQL + Redis)', problems.length > 0 ? problems.join('; ') : null);

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    return result.rowCount === 1;
  } finally {
    await client.end();
  }
}

async function redisKeyCount(pattern: string): Promise<number> {
  const client = createClient({ url: BENCH_REDIS_URL });
  await client.connect();
  try {
    let count = 0;
    for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: 500 })) count += batch.length;
    return count;
  } finally {
    client.destroy();
  }
}

describe.skipIf(!servicesAvailable)('bench scale-out: two instances sharing PostgreSQL and Redis', () => {
  it('splits the clients between the instances, delivers every message to every client once, reads the CPU of each part, and cleans up', async () => {
    const started: BenchServer[] = [];
    let schema = '';
    let namespace = '';
    try {
      const { result, split } = await withScaleOut(
        'ours-pg-2',
        { workers: 2 },
        (server) => started.push(server),
        async ({ instances, databaseUrl, applicationName }) => {
          const url = new URL(instances[0]?.env.CHAT_DATABASE_URL ?? '');
          schema = url.searchParams.get('schema') ?? '';
          expect(url.searchParams.get('application_name')).toBe(applicationName);
          namespace = redisNamespace({ databaseUrl: url.toString(), dbPath: '' });
          const meter = startCpuMeter({
            instancePids: instances.map((instance) => instance.pid),
            postgres: { url: databaseUrl, applicationName },
            redis: true,
          });
          const result = await runThroughput({
            kind: 'throughput',
            url: instances[0]?.url ?? '',
            urls: instances.map((instance) => instance.url),
            dialect: 'ours',
            clients: 6,
            senders: 4,
            window: 2,
            durationMs: 1_500,
            warmupMs: 200,
          });
          return { result, split: await meter.stop(result.integrity.acked) };
        },
      );
      expect(started).toHaveLength(2);
      for (const server of started) expect(server.healthz).toMatchObject({ ok: true, store: 'postgres', workers: 2 });
      expect(result.integrity).toMatchObject({ lost: 0, duplicated: 0, ackErrors: 0 });
      expect(result.integrity.acked).toBeGreaterThan(10);
      // Every acked message reaches all 6 clients, half of them on the other instance: through Redis.
      expect(result.deliveriesPerSec / result.ackedPerSec).toBeGreaterThan(5.5);
      expect(result.deliveriesPerSec / result.ackedPerSec).toBeLessThan(6.5);
      // Both instances worked (each had senders), and so did our PostgreSQL backends and Redis.
      expect(split.instancesMs).toHaveLength(2);
      for (const ms of split.instancesMs) expect(ms).toBeGreaterThan(0);
      // Half the senders on each: comparable work (an instance without senders would idle at a few percent of the other).
      expect(Math.min(...split.instancesMs) / Math.max(...split.instancesMs)).toBeGreaterThan(0.25);
      expect(split.postgresMs).toBeGreaterThan(0);
      expect(split.redisMs).not.toBeNull();
      expect(split.machineMs).toBeGreaterThan(0);
      expect(split.acked).toBe(result.integrity.acked);
      expect(schema).toMatch(/^chat_bench_\d+_[0-9a-f]{8}$/);
      expect(await schemaExists(schema)).toBe(false);
      expect(await redisKeyCount(`${namespace}:*`)).toBe(0);
    } finally {
      cleanupAll();
    }
  });

  it('drops the schema and Redis keys of a bench that was interrupted (its process gone) before it starts', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.pid'], { stdio: 'ignore' }).pid;
    const orphan = `chat_bench_${gone}_deadbeef`;
    const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA "${orphan}"`);
    await client.end();
    const namespace = redisNamespace({ databaseUrl: deploymentUrl(BENCH_DATABASE_URL, orphan, orphan), dbPath: '' });
    const redis = createClient({ url: BENCH_REDIS_URL });
    await redis.connect();
    await redis.set(`${namespace}:left-behind`, '1');
    redis.destroy();
    try {
      await withScaleOut(
        'ours-pg',
        { workers: 1 },
        () => undefined,
        async () => undefined,
      );
      expect(await schemaExists(orphan)).toBe(false);
      expect(await redisKeyCount(`${namespace}:*`)).toBe(0);
    } finally {
      cleanupAll();
    }
  });
});
