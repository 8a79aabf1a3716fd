/** The Redis Streams adapter of the scale-out mode (CHAT_REDIS_URL). */
import { createAdapter as createRedisStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { Config } from '../config';
import type { ChatServer } from '../realtime/types';
import { CONNECTION_NAME, redisNamespace, sharedRedis, type RedisConnection } from './redis';
import { log } from '../observe/log';

/** Joins every worker of every instance through one Redis stream. */
export async function attachRedisAdapter(io: ChatServer, config: Pick<Config, 'databaseUrl' | 'dbPath'>, url: string): Promise<void> {
  const redis = await sharedRedis(url);
  const namespace = redisNamespace(config);
  // Each worker reads the shared stream from its own offset, so a short Redis hiccup
  // delays broadcasts rather than dropping them; clients fill any gap with `sync`.
  io.adapter(createRedisStreamsAdapter(redis, { streamName: `${namespace}:stream`, channelPrefix: namespace, onlyPlaintext: true }));
  await streamReaderStarted(redis);
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
  log.warn('redis: the broadcast stream reader did not start within 5 s; starting anyway');
}
