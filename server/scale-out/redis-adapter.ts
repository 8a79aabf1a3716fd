/** The Redis Streams adapter of the scale-out mode (CHAT_REDIS_URL). */
import { createAdapter as createRedisStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { Config } from '../config';
import { COMMITTED_EVENTS, type ChatServer } from '../realtime/types';
import { CONNECTION_NAME, redisNamespace, sharedRedis, type RedisConnection } from './redis';
import { log } from '../observe/log';

/** Joins every worker of every instance through one Redis stream. */
export async function attachRedisAdapter(io: ChatServer, config: Pick<Config, 'databaseUrl' | 'dbPath'>, url: string): Promise<void> {
  const redis = await sharedRedis(url);
  const namespace = redisNamespace(config);
  const streamName = `${namespace}:stream`;
  // Each worker reads the shared stream from its own offset, so a short Redis hiccup
  // delays broadcasts rather than dropping them; clients fill any gap with `sync`.
  io.adapter(
    createRedisStreamsAdapter(withSettledPublishes(redis), {
      streamName,
      channelPrefix: namespace,
      maxLen: STREAM_MAX_LEN,
      onlyPlaintext: true,
    }),
  );
  streamCommittedBatches(io, redis, streamName);
  await streamReaderStarted(redis);
}

/** The adapter's default: entries kept for a reader that fell behind (trimmed approximately, `MAXLEN ~`). */
const STREAM_MAX_LEN = 10_000;

/** What redis-streams-adapter 0.3.1 has beside ClusterAdapter's API; test/scale/scale-out.test.ts pins it. */
type StreamsAdapter = {
  doPublish(message: { type: number; data?: { packet?: unknown[] } }): Promise<string>;
  encode(message: unknown): Record<string, string>;
};
const SERVER_SIDE_EMIT = 9; // socket.io-adapter's MessageType.SERVER_SIDE_EMIT (its enum is not exported to us)

/**
 * The adapter sends every serverSideEmit over pub/sub, which keeps nothing: a batch of committed
 * messages published while Redis is away would never reach the other processes' sockets and
 * tails. Those two events go into the stream instead, as the adapter's own room broadcasts do,
 * which also keeps them in order with those broadcasts. The reader hands a stream entry of
 * type SERVER_SIDE_EMIT to the same handler as one from pub/sub. One entry carries a whole
 * commit: a room broadcast per message was an entry, its encoding and every process's decoding
 * per message, plus the batch again over pub/sub for the tails.
 */
function streamCommittedBatches(io: ChatServer, redis: RedisConnection, streamName: string): void {
  const adapter = io.of('/').adapter as unknown as StreamsAdapter;
  const publishOthers = adapter.doPublish.bind(adapter);
  const durable = new Set<unknown>(COMMITTED_EVENTS);
  const trim = { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: STREAM_MAX_LEN } } as const;
  adapter.doPublish = (message) =>
    message.type === SERVER_SIDE_EMIT && durable.has(message.data?.packet?.[0])
      ? redis.xAdd(streamName, '*', adapter.encode(message), trim)
      : publishOthers(message);
}

/**
 * The adapter sends serverSideEmit (presence, renames; not committed batches, see
 * above) with PUBLISH and drops the promise (redis-streams-adapter 0.3.1, doPublish). When
 * the connection resets with one awaiting its reply, that promise rejects with
 * nobody listening, and Node ends the process on an unhandled rejection: one Redis
 * hiccup took a whole instance down. Such a message is lost either way (pub/sub
 * keeps nothing); its promise now carries a handler. Every other command goes to
 * the client itself, bound once (the adapter calls xAdd on every broadcast), because
 * node-redis keeps its state in private fields.
 */
function withSettledPublishes(redis: RedisConnection): RedisConnection {
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(redis, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      let method = methods.get(key);
      if (method === undefined) {
        method =
          key === 'publish' || key === 'sPublish'
            ? (...args: unknown[]) => {
                const sent = (value as (...args: unknown[]) => Promise<number>).apply(target, args);
                sent.catch(() => {});
                return sent;
              }
            : value.bind(target);
        methods.set(key, method);
      }
      return method;
    },
  });
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
