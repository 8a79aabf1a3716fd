/**
 * Token bucket per user: `burst` sends at once, refilled at `perSecond`.
 * Kept in this process; the scale-out mode swaps in one kept in Redis
 * (scale-out/rate-limit-redis.ts) behind the same interface.
 */
import type { RateLimit } from '../config';

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  take(key: string): RateDecision | Promise<RateDecision>;
}

/** The in-process bucket answers at once. */
export type LocalRateLimiter = { take(key: string): RateDecision };

type Bucket = { tokens: number; updatedAt: number };

export function createRateLimiter(limit: RateLimit, now: () => number = Date.now): LocalRateLimiter {
  if (!limit) return { take: () => ({ ok: true }) };
  const { perSecond, burst } = limit;
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  function sweep(time: number): void {
    // A full bucket carries no information: drop those so idle users cost no memory.
    if (time - lastSweep < 60_000) return;
    lastSweep = time;
    for (const [key, bucket] of buckets) {
      if (bucket.tokens + ((time - bucket.updatedAt) / 1000) * perSecond >= burst) buckets.delete(key);
    }
  }

  return {
    take(key) {
      const time = now();
      sweep(time);
      const bucket = buckets.get(key) ?? { tokens: burst, updatedAt: time };
      bucket.tokens = Math.min(burst, bucket.tokens + ((time - bucket.updatedAt) / 1000) * perSecond);
      bucket.updatedAt = time;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / perSecond) * 1000) };
    },
  };
}
