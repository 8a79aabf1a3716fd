/**
 * One server process: store, HTTP app and Socket.IO on a single Node http server.
 * Alone it listens itself; in the cluster the primary hands it connections.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Message, User } from '../shared/protocol';
import { attachAdapter } from './adapter';
import { createApp } from './app';
import type { Config } from './config';
import { openSharedState } from './shared-state';
import { createSocketServer, type ChatSockets } from './socket';
import { acceptStickyConnections } from './sticky';
import { openStore } from './store/open-store';

export async function startWorker(config: Config, options: { clustered: boolean }): Promise<void> {
  const store = await openStore(config, options.clustered);
  const { limiter } = await openSharedState(config);
  // The app needs publish before Socket.IO exists (both share one http server), hence the late binding.
  const live: { sockets?: ChatSockets } = {};
  const publish = (message: Message) => live.sockets?.publish(message);
  const renamed = (user: User) => live.sockets?.renamed(user);

  const app = createApp({ store, limiter, publish, renamed, config });
  const httpServer = createServer(getRequestListener(app.fetch));
  const shared = options.clustered || Boolean(config.redisUrl);
  const sockets = createSocketServer(httpServer, { store, limiter, publish, config, shared });
  live.sockets = sockets;
  const io = sockets.io;
  await attachAdapter(io, config, options.clustered);
  sockets.startPresence();

  if (options.clustered) {
    acceptStickyConnections(httpServer, io.engine, cluster.worker?.id ?? 0);
    process.send?.({ type: 'worker:ready' });
  } else {
    await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
    const address = httpServer.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    console.log(`chat server on http://localhost:${port} (1 process, store ${config.databaseUrl ? 'PostgreSQL' : config.dbPath})`);
  }

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    httpServer.close();
    // Commit what is queued and let its acks go out before the sockets close.
    await store.close();
    // Everything acked is committed now; a WebSocket whose peer vanished must not hold the exit
    // for the close handshake's 30 s timeout.
    setTimeout(() => process.exit(0), 5_000).unref();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => io.close(() => resolve()));
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
