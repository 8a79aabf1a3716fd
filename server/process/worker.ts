/**
 * One server process: a chat server (store, HTTP and Socket.IO on one http
 * server). Alone it listens itself; in the cluster the primary hands it connections.
 */
import cluster from 'node:cluster';
import type { Config } from '../config';
import { createChatServer } from './chat-server';
import type { IpcMessage } from './ipc';
import { durabilityLine } from './open-store';
import { acceptStickyConnections } from './sticky';

export async function startWorker(config: Config, options: { clustered: boolean }): Promise<void> {
  const server = await createChatServer(config, options);
  const { httpServer, io } = server;

  if (options.clustered) {
    acceptStickyConnections(httpServer, io.engine, cluster.worker?.id ?? 0);
    process.send?.({ type: 'worker:ready' } satisfies IpcMessage);
  } else {
    await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
    const address = httpServer.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    console.log(`chat server on http://localhost:${port} (1 process, store ${config.databaseUrl ? 'PostgreSQL' : config.dbPath})`);
    if (!config.databaseUrl) console.log(durabilityLine(server.store.durability()));
  }

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await server.close(() => {
      // Everything acked is committed now; a WebSocket whose peer vanished must not hold the
      // exit for the close handshake's 30 s timeout.
      setTimeout(() => process.exit(0), 5_000).unref();
    });
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
