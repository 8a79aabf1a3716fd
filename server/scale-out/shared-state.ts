/**
 * State every instance must agree on besides the database and the broadcasts:
 * the rate limiter's buckets. In Redis when CHAT_REDIS_URL is set (scale-out),
 * otherwise in this process. (Presence travels over the Socket.IO adapter, see
 * realtime/presence.ts, so it needs nothing here.)
 */
import { createRateLimiter, type RateLimiter } from '../chat/rate-limit';
import type { Config } from '../config';

export type SharedState = { limiter: RateLimiter };

export async function openSharedState(config: Pick<Config, 'redisUrl' | 'databaseUrl' | 'dbPath' | 'rateLimit'>): Promise<SharedState> {
  if (!config.redisUrl) return { limiter: createRateLimiter(config.rateLimit) };
  const [{ createRedisRateLimiter }, { redisNamespace, sharedRedis }] = await Promise.all([
    import('./rate-limit-redis'),
    import('./redis'),
  ]);
  const redis = await sharedRedis(config.redisUrl);
  return { limiter: createRedisRateLimiter(redis, config.rateLimit, { namespace: redisNamespace(config) }) };
}
