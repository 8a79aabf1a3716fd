/**
 * State every instance must agree on besides the database: the rate limiter's
 * buckets and who is online. In Redis when CHAT_REDIS_URL is set (scale-out),
 * otherwise in this process.
 */
import type { Config } from './config';
import { createLocalPresence, type Presence } from './presence';
import { createRedisPresence } from './presence-redis';
import { createRateLimiter, type RateLimiter } from './rate-limit';
import { createRedisRateLimiter, type SharedRateLimiter } from './rate-limit-redis';
import { redisNamespace, sharedRedis } from './redis';

export type SharedState = { limiter: RateLimiter | SharedRateLimiter; presence: Presence };

export async function openSharedState(config: Pick<Config, 'redisUrl' | 'databaseUrl' | 'dbPath' | 'rateLimit'>): Promise<SharedState> {
  if (!config.redisUrl) return { limiter: createRateLimiter(config.rateLimit), presence: createLocalPresence() };
  const redis = await sharedRedis(config.redisUrl);
  const namespace = redisNamespace(config);
  return {
    limiter: createRedisRateLimiter(redis, config.rateLimit, { namespace }),
    presence: await createRedisPresence(redis, { namespace }),
  };
}
