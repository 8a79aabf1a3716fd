/** Where budgets live: in Redis with CHAT_REDIS_URL, in the primary for a cluster worker, else in this process. */
import { createLocalBudgets, type Budgets } from '../chat/budgets';
import type { Config } from '../config';
import { budgetsThroughPrimary } from './primary-budgets';

export async function openBudgets(
  config: Pick<Config, 'redisUrl' | 'databaseUrl' | 'dbPath' | 'budgets'>,
  clustered: boolean,
): Promise<Budgets> {
  if (config.redisUrl) {
    // Loaded only in this mode: the embedded default never pays for the Redis client.
    const { openRedisBudgets } = await import('../scale-out/redis-budgets');
    return openRedisBudgets(config, config.redisUrl);
  }
  const local = createLocalBudgets(config.budgets);
  return clustered ? budgetsThroughPrimary(config.budgets, local) : local;
}
