/**
 * The Redis-backed rate limiter: one budget per user across instances (two
 * connections play two machines), and a local decision when Redis is away.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisConnection } from '../../../server/scale-out/redis';
import { createRedisRateLimiter } from '../../../server/scale-out/rate-limit-redis';
import { redisProblem, shouldRun, TEST_REDIS_URL } from '../../support/services';
import { startTcpProxy } from '../../support/tcp-proxy';

const redisAvailable = shouldRun('Redis rate limiter', await redisProblem());

describe.skipIf(!redisAvailable)('rate limiting shared through Redis', () => {
  const connections: RedisConnection[] = [];
  const connect = async (url = TEST_REDIS_URL) => {
    const connection = await connectRedis(url);
    connections.push(connection);
    return connection;
  };
  const namespace = () => `chat-test:${randomBytes(6).toString('hex')}`;
  afterAll(async () => {
    for (const connection of connections) connection.destroy();
  });

  it('gives a user one burst across two instances, then refuses with retryAfterMs', async () => {
    const shared = namespace();
    const limit = { perSecond: 2, burst: 3 };
    const first = createRedisRateLimiter(await connect(), limit, { namespace: shared });
    const second = createRedisRateLimiter(await connect(), limit, { namespace: shared });
    const decisions = [await first.take('ana'), await second.take('ana'), await first.take('ana'), await second.take('ana')];
    expect(decisions.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const refused = decisions[3];
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(400);
    expect(await second.take('bob')).toEqual({ ok: true });
  });

  it('refills at the configured rate', async () => {
    const limiter = createRedisRateLimiter(await connect(), { perSecond: 20, burst: 1 }, { namespace: namespace() });
    expect((await limiter.take('ana')).ok).toBe(true);
    expect((await limiter.take('ana')).ok).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await limiter.take('ana')).ok).toBe(true);
  });

  it('keeps deployments that share one Redis apart', async () => {
    const redis = await connect();
    const limit = { perSecond: 1, burst: 1 };
    const one = createRedisRateLimiter(redis, limit, { namespace: namespace() });
    const other = createRedisRateLimiter(redis, limit, { namespace: namespace() });
    expect((await one.take('ana')).ok).toBe(true);
    expect((await other.take('ana')).ok).toBe(true);
  });

  it('decides locally, without waiting long, while Redis is unreachable', async () => {
    const target = new URL(TEST_REDIS_URL);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    try {
      const limiter = createRedisRateLimiter(
        await connect(`redis://127.0.0.1:${proxy.port}`),
        { perSecond: 1, burst: 2 },
        { namespace: namespace(), timeoutMs: 100 },
      );
      expect((await limiter.take('ana')).ok).toBe(true);
      await proxy.cut();
      const started = Date.now();
      const decisions = [await limiter.take('ana'), await limiter.take('ana'), await limiter.take('ana')];
      expect(Date.now() - started).toBeLessThan(2_000);
      // The local bucket starts full: two sends pass, the third is refused.
      expect(decisions.map((decision) => decision.ok)).toEqual([true, true, false]);
    } finally {
      await proxy.close();
    }
  });
});
