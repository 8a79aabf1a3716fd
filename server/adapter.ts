/**
 * Joins Socket.IO servers so a broadcast reaches sockets everywhere: the cluster
 * adapter between the workers of one machine, or, when CHAT_REDIS_URL is set,
 * Redis Streams between every worker of every instance (scale-out).
 */
import { createHash } from 'node:crypto';
import { createAdapter as createClusterAdapter } from '@socket.io/cluster-adapter';
import { createAdapter as createRedisStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { Config } from './config';
import { sharedRedis } from './redis';
import type { ChatServer } from './socket';

type AdapterConfig = Pick<Config, 'redisUrl' | 'databaseUrl' | 'dbPath'>;

/** Call in every worker; a lone process without Redis needs nothing. */
export async function attachAdapter(io: ChatServer, config: AdapterConfig, clustered: boolean): Promise<void> {
  if (config.redisUrl) {
    const redis = await sharedRedis(config.redisUrl);
    const namespace = broadcastNamespace(config);
    // Each worker reads the shared stream from its own offset, so a short Redis hiccup
    // delays broadcasts rather than dropping them; clients fill any gap with `sync`.
    io.adapter(createRedisStreamsAdapter(redis, { streamName: `${namespace}:stream`, channelPrefix: namespace, onlyPlaintext: true }));
    return;
  }
  if (clustered) io.adapter(createClusterAdapter());
}

/**
 * Instances share broadcasts exactly when they share data: the Redis keys are named
 * after the store (database URL without its password, or the SQLite path), so two
 * deployments, or two test runs, on one Redis never see each other's messages.
 */
export function broadcastNamespace(config: AdapterConfig): string {
  let identity = `sqlite:${config.dbPath}`;
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    url.password = '';
    identity = url.toString();
  }
  return `chat:${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}
