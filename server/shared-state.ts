/**
 * State every instance must agree on besides the database and the broadcasts:
 * the rate limiter's buckets. In Redis when CHAT_REDIS_URL is set (scale-out),
 * otherwise in this process. (Presence travels over the Socket.IO adapter, see
 * social/presence.ts, so it needs nothing here.)
 */
import type { Config } from './config';
import { createRateLimiter, type RateLimiter } from './rate-limit';
import { createRedisRateLimiter, type SharedRateLimiter } from './rate-limit-redis';
import { redisNamespace, sharedRedis } from './redis';

export type SharedState = { limiter: RateLimiter | SharedRateLimiter };

export async function openSharedState(config: Pick<Config, 'redisUrl' | 'databaseUrl' | 'dbPath' | 'rateLimit'>): Promise<SharedState> {
  if (!config.redisUrl) return { limiter: createRateLimiter(config.rateLimit) };
  const redis = await sharedRedis(config.redisUrl);
  return { limiter: createRedisRateLimiter(redis, config.rateLimit, { namespace: redisNamespace(config) }) };
}
