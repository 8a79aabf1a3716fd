/**
 * The Redis Streams adapter as the server wires it, on a connection a test can
 * stall and cut: a reset with serverSideEmit PUBLISHes awaiting their replies must
 * not end the process (it did, through an unhandled rejection), and messages
 * between instances flow again once Redis is back.
 */
import { randomBytes } from 'node:crypto';
import { Server } from 'socket.io';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../../../server/realtime/types';
import { attachRedisAdapter } from '../../../server/scale-out/redis-adapter';
import { sharedRedis } from '../../../server/scale-out/redis';
import { waitFor } from '../../support/clients';
import { redisProblem, shouldRun, TEST_REDIS_URL } from '../../support/services';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';

const redisAvailable = shouldRun('Redis adapter', await redisProblem());

describe.skipIf(!redisAvailable)('the Redis adapter when its connection resets', () => {
  const config = { databaseUrl: '', dbPath: `redis-adapter-test-${randomBytes(6).toString('hex')}` };
  const proxies: TcpProxy[] = [];
  const servers: Server[] = [];
  const urls: string[] = [];

  /** One instance: a Socket.IO server joined through its own proxy, so its Redis connection can be cut alone. */
  async function instance(): Promise<{ io: Server; proxy: TcpProxy }> {
    const target = new URL(TEST_REDIS_URL);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    const url = `redis://127.0.0.1:${proxy.port}`;
    const io = new Server();
    proxies.push(proxy);
    servers.push(io);
    urls.push(url);
    await attachRedisAdapter(io as ChatServer, config, url);
    return { io, proxy };
  }

  afterAll(async () => {
    // Not attached to an http server, so io.close() has no engine to close: close the adapter (and its Redis readers).
    await Promise.all(servers.map((io) => io.of('/').adapter.close()));
    for (const url of urls) (await sharedRedis(url)).destroy();
    await Promise.all(proxies.map((proxy) => proxy.close()));
  });

  it('survives the reset and carries serverSideEmit again once Redis is back', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const sender = await instance();
      const receiver = await instance();
      const heard = new Set<string>();
      receiver.io.on('probe', (word: string) => heard.add(word));
      const sendUntilHeard = async (word: string) => {
        await waitFor(
          () => {
            sender.io.serverSideEmit('probe', word);
            return heard.has(word);
          },
          15_000,
          `"${word}" to reach the other instance`,
        );
      };
      await sendUntilHeard('before');

      // Every PUBLISH now waits for a reply that will not come; then the connection resets under them.
      sender.proxy.stall();
      for (let i = 0; i < 50; i++) sender.io.serverSideEmit('probe', `during-${i}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await sender.proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(unhandled).toEqual([]);

      await sender.proxy.restore();
      await sendUntilHeard('after');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
