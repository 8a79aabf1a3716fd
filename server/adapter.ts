/**
 * Joins Socket.IO servers so a broadcast reaches sockets everywhere: the cluster
 * adapter between the workers of one machine, or, when CHAT_REDIS_URL is set,
 * Redis Streams between every worker of every instance (scale-out).
 */
import { createAdapter as createClusterAdapter } from '@socket.io/cluster-adapter';
import { createAdapter as createRedisStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { Config } from './config';
import { CONNECTION_NAME, redisNamespace, sharedRedis, type RedisConnection } from './redis';
import type { ChatServer } from './socket';

/** Call in every worker; a lone process without Redis needs nothing. */
export async function attachAdapter(
  io: ChatServer,
  config: Pick<Config, 'redisUrl' | 'databaseUrl' | 'dbPath'>,
  clustered: boolean,
): Promise<void> {
  if (config.redisUrl) {
    const redis = await sharedRedis(config.redisUrl);
    const namespace = redisNamespace(config);
    // Each worker reads the shared stream from its own offset, so a short Redis hiccup
    // delays broadcasts rather than dropping them; clients fill any gap with `sync`.
    io.adapter(createRedisStreamsAdapter(redis, { streamName: `${namespace}:stream`, channelPrefix: namespace, onlyPlaintext: true }));
    await streamReaderStarted(redis);
    return;
  }
  if (clustered) io.adapter(createClusterAdapter());
}

/**
 * The adapter reads the stream from "$" (what is added after its first XREAD), on
 * its own connection, opened asynchronously. Until that XREAD is in, broadcasts from
 * other instances would pass this one by, so the worker is not ready before it.
 * Found in CLIENT LIST by connection name; where that command is not allowed, or
 * after a few seconds, start anyway: clients would fill such a gap with `sync`.
 */
async function streamReaderStarted(redis: RedisConnection, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const connections = await redis.clientList();
      if (connections.some((connection) => connection.name === CONNECTION_NAME && connection.cmd === 'xread')) return;
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.warn('redis: the broadcast stream reader did not start within 5 s; starting anyway');
}
