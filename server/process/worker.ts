/**
 * One server process: a chat server (store, HTTP and Socket.IO on one http
 * server). Alone it listens itself, behind the same front-door limits the
 * cluster's router applies; in the cluster the primary hands it connections.
 */
import cluster from 'node:cluster';
import type { Server as HttpServer } from 'node:http';
import type { Config } from '../config';
import { log } from '../observe/log';
import { answerClusterScrapes, collectProcessMetrics, metrics, metricsText } from '../observe/metrics';
import { createChatServer } from './chat-server';
import { createConnectionTally } from './connection-tally';
import type { IpcMessage } from './ipc';
import { serveOnOwnPort } from './metrics-endpoint';
import { durabilityLine } from './open-store';
import { acceptStickyConnections } from './sticky';

export async function startWorker(config: Config, options: { clustered: boolean }): Promise<void> {
  const server = await createChatServer(config, options);
  const { httpServer, io } = server;
  // Only when something can scrape them: prom-client's default metrics watch every GC through a
  // PerformanceObserver, which cost about a tenth of fan-out throughput (deliveries/s, A/B of #12),
  // and prom-client itself is about 4 MB of memory.
  const metricsOn = config.metricsPort !== undefined || Boolean(config.metricsToken);
  if (metricsOn) await collectProcessMetrics();

  if (options.clustered) {
    if (!config.clusterKey) throw new Error('a cluster worker needs CHAT_CLUSTER_KEY from its primary');
    acceptStickyConnections(httpServer, io.engine, cluster.worker?.id ?? 0, Buffer.from(config.clusterKey, 'base64url'));
    if (metricsOn) await answerClusterScrapes();
    process.send?.({ type: 'worker:ready' } satisfies IpcMessage);
  } else {
    capConnections(httpServer, config);
    await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
    const address = httpServer.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    log.info(`chat server on http://localhost:${port} (1 process, store ${config.databaseUrl ? 'PostgreSQL' : config.dbPath})`);
    if (!config.databaseUrl) log.info(durabilityLine(server.store.durability()));
    if (config.metricsPort !== undefined) serveOnOwnPort(config.metricsPort, config.host, metricsText);
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
  // on, not once: SIGTERM may come twice (a supervisor signals every process, and the primary passes one on);
  // a second must not take the default action and kill a process in the middle of its graceful close.
  process.on('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** A single process is its own front door: the connection caps the cluster's router applies (the head limits are http options). */
function capConnections(httpServer: HttpServer, config: Config): void {
  const tally = createConnectionTally(config);
  httpServer.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (!tally.open(address)) {
      metrics.frontDoorRefusals.inc({ status: 503 });
      socket.destroy();
      return;
    }
    socket.once('close', () => tally.close(address));
  });
}
