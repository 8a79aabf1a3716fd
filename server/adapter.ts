/**
 * Joins Socket.IO servers so a broadcast reaches sockets everywhere: the cluster
 * adapter between the workers of one machine, or, when CHAT_REDIS_URL is set,
 * Redis Streams between every worker of every instance (scale-out).
 */
import { createAdapter as createClusterAdapter } from '@socket.io/cluster-adapter';
import { createAdapter as createRedisStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { Config } from './config';
import { redisNamespace, sharedRedis } from './redis';
import type { ChatServer } from './socket';

/** Call in every worker; a lone process without Redis needs nothing. */
export async function attachAdapter(io: ChatServer, config: Pick<Config, 'redisUrl' | 'databaseUrl' | 'dbPath'>, clustered: boolean): Promise<void> {
  if (config.redisUrl) {
    const redis = await sharedRedis(config.redisUrl);
    const namespace = redisNamespace(config);
    // Each worker reads the shared stream from its own offset, so a short Redis hiccup
    // delays broadcasts rather than dropping them; clients fill any gap with `sync`.
    io.adapter(createRedisStreamsAdapter(redis, { streamName: `${namespace}:stream`, channelPrefix: namespace, onlyPlaintext: true }));
    return;
  }
  if (clustered) io.adapter(createClusterAdapter());
}
