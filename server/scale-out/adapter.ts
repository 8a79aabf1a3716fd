/**
 * Joins Socket.IO servers so a broadcast reaches sockets everywhere: the cluster
 * adapter between the workers of one machine, or, when CHAT_REDIS_URL is set,
 * Redis Streams between every worker of every instance (scale-out). Redis code
 * is loaded only in that mode.
 */
import { createAdapter as createClusterAdapter } from '@socket.io/cluster-adapter';
import type { Config } from '../config';
import type { ChatServer } from '../realtime/types';

/** Call in every worker; a lone process without Redis needs nothing. */
export async function attachAdapter(
  io: ChatServer,
  config: Pick<Config, 'redisUrl' | 'databaseUrl' | 'dbPath'>,
  clustered: boolean,
): Promise<void> {
  if (config.redisUrl) {
    const { attachRedisAdapter } = await import('./redis-adapter');
    return attachRedisAdapter(io, config, config.redisUrl);
  }
  if (clustered) io.adapter(createClusterAdapter());
}
