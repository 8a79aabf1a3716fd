/**
 * The per-user token bucket of rate-limit.ts kept in Redis, so a user spreading
 * sends over several instances still gets one budget. Redis's own clock decides
 * refills (machines' clocks may disagree). If Redis does not answer quickly, the
 * local bucket decides: a Redis outage must not block or refuse sends.
 */
import { createRateLimiter, type RateDecision, type RateLimiter } from '../chat/rate-limit';
import type { Budgets } from '../chat/budgets';
import { BUDGETS, type BudgetLimits, type RateLimit } from '../config';
import type { RedisConnection } from './redis';

/** Returns -1 when a token was taken, else the ms until one will be there. */
const TAKE_TOKEN = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(saved[1]) or burst
local at = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local wait = -1
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
-- A bucket that has refilled carries no information: let Redis forget it.
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait`;

export type RedisRateLimiterOptions = {
  /** Key prefix, so deployments sharing one Redis keep separate budgets. */
  namespace: string;
  /** How long to wait for Redis before the local bucket decides. */
  timeoutMs?: number;
};

export function createRedisRateLimiter(redis: RedisConnection, limit: RateLimit, options: RedisRateLimiterOptions): RateLimiter {
  if (!limit) return { take: async () => ({ ok: true }) };
  const { perSecond, burst } = limit;
  const fallback = createRateLimiter(limit);
  const timeoutMs = options.timeoutMs ?? 250;

  async function askRedis(key: string): Promise<RateDecision> {
    const wait = await redis.eval(TAKE_TOKEN, {
      keys: [`${options.namespace}:rate:${key}`],
      arguments: [String(perSecond), String(burst)],
    });
    if (typeof wait !== 'number') throw new Error(`rate script answered ${JSON.stringify(wait)}`);
    return wait < 0 ? { ok: true } : { ok: false, retryAfterMs: wait };
  }

  return {
    async take(key) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
      try {
        const decision = await Promise.race([askRedis(key), late]);
        return decision ?? fallback.take(key);
      } catch {
        return fallback.take(key);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Every budget kept in Redis: one bucket set per budget, keys apart. */
export function createRedisBudgets(redis: RedisConnection, limits: BudgetLimits, options: RedisRateLimiterOptions): Budgets {
  const limiters = new Map(
    BUDGETS.map((budget) => {
      // Sends keep the key prefix they had before the other budgets existed.
      const namespace = budget === 'send' ? options.namespace : `${options.namespace}:${budget}`;
      return [budget, createRedisRateLimiter(redis, limits[budget], { ...options, namespace })] as const;
    }),
  );
  return { take: (budget, key) => limiters.get(budget)?.take(key) ?? { ok: true } };
}
