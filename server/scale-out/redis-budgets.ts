/**
 * The budgets of every instance kept in one Redis (scale-out), so a user who
 * spreads requests over instances still has one budget. (Presence travels over
 * the Socket.IO adapter, see realtime/presence.ts, so it needs nothing here.)
 */
import type { Budgets } from '../chat/budgets';
import type { Config } from '../config';
import { createRedisBudgets } from './rate-limit-redis';
import { redisNamespace, sharedRedis } from './redis';

export async function openRedisBudgets(config: Pick<Config, 'databaseUrl' | 'dbPath' | 'budgets'>, url: string): Promise<Budgets> {
  const redis = await sharedRedis(url);
  return createRedisBudgets(redis, config.budgets, { namespace: redisNamespace(config) });
}
