/**
 * One chat server, wired: store, rate limiter, Hono app and Socket.IO on a
 * single Node http server, joined to the other processes by the adapter. A
 * worker process runs one; tests run one in-process on port 0.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Message, MessageChange, User } from '../../shared/protocol';
import type { Config } from '../config';
import { createApp } from '../http/app';
import { createSocketServer, type ChatSockets } from '../realtime/socket-server';
import type { ChatServer as SocketServer } from '../realtime/types';
import { webSocketsClosed } from '../realtime/wire/websockets-closed';
import { attachAdapter } from '../scale-out/adapter';
import type { Store } from '../store/store';
import { limiterOf } from '../chat/budgets';
import { metricsText as processMetricsText } from '../observe/metrics';
import { openBudgets } from './open-budgets';
import { openPushStore, openStore } from './open-store';
import { awakeSessions } from '../realtime/awake-sessions';
import { startPush, type PushService } from '../push/service';
import { createImageWorker } from '../media/image-worker';
import { openUploads } from '../media/uploads';
import { openFsBlobStore } from '../store/fs-blob-store';
import { openS3BlobStore } from '../store/s3-blob-store';

export type ChatServer = {
  httpServer: HttpServer;
  io: SocketServer;
  store: Store;
  push: PushService;
  app: ReturnType<typeof createApp>;
  /** Stops taking connections, commits what is queued (its acks go out), calls `committed`, then closes the sockets. */
  close(committed?: () => void): Promise<void>;
};

/** `clustered`: a worker of the node:cluster mode (sends committed by the primary, cluster adapter). */
export async function createChatServer(config: Config, options: { clustered: boolean }): Promise<ChatServer> {
  const store = await openStore(config, options.clustered);
  const budgets = await openBudgets(config, options.clustered);
  const limiter = limiterOf(budgets, 'send');
  // The app needs publish before Socket.IO exists (both share one http server), hence the late binding.
  const live: { sockets?: ChatSockets } = {};
  const push = await startPush(config.push, store, await openPushStore(config), (sessionIds) =>
    live.sockets ? awakeSessions(live.sockets.io, sessionIds) : Promise.resolve(new Set<string>()),
  );
  const publish = (message: Message) => {
    live.sockets?.publish(message);
    push.committed(message);
  };
  const readOnDevice = push.read;
  const publishChange = (change: MessageChange) => live.sockets?.publishChange(change);
  const userUpdated = (user: User) => live.sockets?.userUpdated(user);
  const revoked = (sessionId: string) => live.sockets?.revoked(sessionId);

  // A cluster worker's /metrics would be its share only: the primary answers for the whole cluster.
  const metricsText = options.clustered ? undefined : processMetricsText;
  // Attachments: partial uploads under CHAT_BLOB_DIR, blobs there too or in an S3-compatible bucket (CHAT_BLOB_S3_*).
  const media = {
    uploads: openUploads(config.attachments, config.origins),
    blobs: config.attachments.s3 ? openS3BlobStore(config.attachments.s3) : openFsBlobStore(config.attachments.blobDir),
    images: createImageWorker(),
    config: config.attachments,
  };
  const app = createApp({ store, limiter, budgets, publish, publishChange, userUpdated, revoked, config, metricsText, push, media });
  const httpServer = createServer(
    {
      // The front door's head limits, also here: the only door of a single process, a second one behind the router.
      maxHeaderSize: config.maxHeaderBytes,
      headersTimeout: config.headTimeoutMs,
      // Node checks the timeout on this interval (30 s by default, far longer than the timeout itself).
      connectionsCheckingInterval: Math.min(1000, config.headTimeoutMs),
    },
    getRequestListener(app.fetch),
  );
  const peers = config.redisUrl ? 'redis' : options.clustered ? 'cluster' : 'none';
  const sockets = createSocketServer(httpServer, { store, limiter, budgets, publish, publishChange, config, peers, readOnDevice });
  live.sockets = sockets;
  const io = sockets.io;
  await attachAdapter(io, config, options.clustered);
  sockets.startPresence();
  // The first subscription on the server starts every process queueing pushes, not after their next check.
  if (peers !== 'none') {
    io.on('push:subscribed', push.subscribedElsewhere);
    push.announce = () => io.serverSideEmit('push:subscribed');
  }

  return {
    httpServer,
    io,
    store,
    push,
    app,
    async close(committed) {
      // Stop taking connections. A cluster worker never listens (the primary hands it connections),
      // and closing a server that does not listen emits 'close' at once, on which engine.io closes
      // every socket: sends still committing at the primary would lose their acks.
      if (httpServer.listening) httpServer.close();
      // Commit what is queued and let its acks go out before the sockets close.
      await store.close();
      media.uploads.close();
      media.images.close();
      committed?.();
      await push.close();
      await new Promise((resolve) => setImmediate(resolve));
      const closed = webSocketsClosed(io);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await closed;
    },
  };
}
