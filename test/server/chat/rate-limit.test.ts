/** The per-user token bucket kept in this process. */
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../server/chat/rate-limit';

describe('rate limiting', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const limiter = createRateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('ana').ok)).toEqual([true, true, true]);
    const refused = limiter.take('ana');
    expect(refused).toEqual({ ok: false, retryAfterMs: 500 });
    expect(limiter.take('bob').ok).toBe(true);
    now = 500;
    expect(limiter.take('ana').ok).toBe(true);
    expect(limiter.take('ana').ok).toBe(false);
  });

  it('lets everything through when turned off', () => {
    const limiter = createRateLimiter(null);
    expect(Array.from({ length: 1000 }, () => limiter.take('ana').ok).every(Boolean)).toBe(true);
  });
});
