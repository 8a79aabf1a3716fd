/**
 * One budget per kind of request (config.ts BUDGETS), each a token bucket per
 * key: a user id, or a client address. Kept in this process here; a cluster
 * keeps them in the primary (process/primary-budgets.ts) and scale-out in Redis,
 * behind the same interface, so every worker and instance draws on one budget.
 */
import { BUDGETS, type Budget, type BudgetLimits } from '../config';
import { createRateLimiter, type RateDecision, type RateLimiter } from './rate-limit';

export interface Budgets {
  take(budget: Budget, key: string): RateDecision | Promise<RateDecision>;
}

/** The in-process budgets answer at once. */
export type LocalBudgets = { take(budget: Budget, key: string): RateDecision };

export function createLocalBudgets(limits: BudgetLimits, now: () => number = Date.now): LocalBudgets {
  const buckets = new Map(BUDGETS.map((budget) => [budget, createRateLimiter(limits[budget], now)] as const));
  return {
    take(budget, key) {
      const limiter = buckets.get(budget);
      return limiter ? limiter.take(key) : { ok: true };
    },
  };
}

/** One budget seen as the send path's limiter. */
export function limiterOf(budgets: Budgets, budget: Budget): RateLimiter {
  return { take: (key) => budgets.take(budget, key) };
}

/** The refusal every edge sends for a spent budget. */
export const overBudget = (budget: Budget): string =>
  budget === 'send' ? 'too many messages; slow down' : budget === 'signal' ? 'too many signals; slow down' : 'too many requests; slow down';
