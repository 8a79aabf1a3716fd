/**
 * createSocketServer(httpServer, deps): the Socket.IO edge. Authenticates the
 * handshake, streams catch-up, and gives each client event one handler that
 * validates its payload with the shared schema and answers with an Ack.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, Cursors, Message, ServerToClientEvents, User } from '../shared/protocol';
import { handshakeAuthSchema, parsePayload, typingSchema } from '../shared/schema';
import { authenticate } from './auth';
import type { Config } from './config';
import { roomChannel, userChannel } from './chat/access';
import { replayMissed, type PageSource } from './chat/catch-up';
import { createTailCache } from './chat/tail-cache';
import { toErr } from './chat/errors';
import type { SendDeps } from './chat/send-message';
import { registerMessageEvents } from './events/messages';
import { onEvent } from './events/on-event';
import { registerRoomEvents } from './events/rooms';
import { coalesceWebSocketFrames } from './coalesce-frames';
import { createMessageFeed } from './message-feed';
import { encodedEvent } from './pre-encoded';
import type { EncodedPage } from './store/store';
import { isAllowedOrigin } from './origins';
import { createPresence, PRESENCE_DELTA_CHANNEL } from './social/presence';
import type { PresenceDelta, PresenceSnapshot } from './social/presence-state';
import { createTypingRelay } from './social/typing';

export type SocketData = { user: User; cursors: Cursors; presenceDeltas: boolean };
/** Events between server processes (over the cluster or Redis adapter). */
export type InterServerEvents = {
  'presence:snapshot': (snapshot: PresenceSnapshot) => void;
  'presence:delta': (delta: PresenceDelta) => void;
  'presence:hello': () => void;
  'user:renamed': (user: User) => void;
  'messages:committed': (messages: Message[]) => void;
};
export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export type SocketDeps = SendDeps & {
  config: Pick<Config, 'origins'>;
  /** True when other server processes exist (cluster or Redis): presence is announced to them. */
  shared: boolean;
  /** Catch-up pages: from this process's tail cache when it has them, else from the store. */
  pages: PageSource;
};

export type ChatSockets = {
  io: ChatServer;
  /** Call once the adapter is attached: starts cluster-wide presence. */
  startPresence(): void;
  /** A user changed their name: update their sockets and presence everywhere. */
  renamed(user: User): void;
  /** Emits a newly committed message to its room's members on every process. */
  publish(message: Message): void;
};

export function createSocketServer(httpServer: HttpServer, edgeDeps: Omit<SocketDeps, 'pages'>): ChatSockets {
  coalesceWebSocketFrames();
  const tail = createTailCache();
  const deps: SocketDeps = {
    ...edgeDeps,
    pages: async (room, afterSeq, limit) => tail.page(room, afterSeq, limit) ?? edgeDeps.store.encodedMessagesAfter(room, afterSeq, limit),
  };
  const io: ChatServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 256 * 1024,
    cors: deps.config.origins.length > 0 ? { origin: deps.config.origins, credentials: false } : undefined,
    allowRequest: (req, callback) => callback(null, isAllowedOrigin(req.headers.origin, req.headers.host, deps.config.origins)),
  });
  const typing = createTypingRelay(io);
  let presence: ReturnType<typeof createPresence> | undefined;

  io.use((socket, next) => {
    const auth = parsePayload(handshakeAuthSchema, socket.handshake.auth);
    if (!auth.ok)
      return next(new Error(typeof (socket.handshake.auth as { token?: unknown }).token === 'string' ? 'invalid' : 'unauthorized'));
    authenticate(deps.store, auth.value.token).then(
      (user) => {
        if (!user) return next(new Error('unauthorized'));
        socket.data.user = user;
        socket.data.cursors = auth.value.cursors ?? {};
        socket.data.presenceDeltas = auth.value.presence === 'delta';
        next();
      },
      () => next(new Error('unavailable')),
    );
  });

  io.on('connection', (socket) => {
    // Handlers first and synchronously: events sent right after connect must find them.
    registerMessageEvents(socket, deps);
    registerRoomEvents(io, socket, deps);
    onEvent(socket, 'typing', typingSchema, ({ room, typing: isTyping }) => {
      typing.update(socket, room, isTyping);
      return { ok: true };
    });
    socket.on('disconnect', () => {
      typing.disconnected(socket);
      presence?.disconnected(socket);
    });
    if (socket.data.presenceDeltas) void socket.join(PRESENCE_DELTA_CHANNEL);
    presence?.connected(socket);
    void catchUp(socket, deps);
  });

  const applyRename = (user: User) => {
    for (const id of io.of('/').adapter.rooms.get(userChannel(user.id)) ?? []) {
      const socket = io.of('/').sockets.get(id);
      if (socket) socket.data.user = user;
    }
    presence?.renamed(user);
    // Cached pages carry the old name.
    tail.clear();
  };
  io.on('user:renamed', applyRename);

  return {
    io,
    publish: createMessageFeed(io, deps.shared, tail),
    startPresence() {
      presence ??= createPresence(io, { shared: deps.shared });
    },
    renamed(user) {
      applyRename(user);
      if (deps.shared) io.serverSideEmit('user:renamed', user);
    },
  };
}

/** Joins the live channels first, then replays from the store, so nothing falls between the two. */
async function catchUp(socket: ChatSocket, deps: SocketDeps): Promise<void> {
  const { user, cursors } = socket.data;
  try {
    const rooms = await deps.store.roomsOf(user.id);
    await socket.join([userChannel(user.id), ...rooms.map((room) => roomChannel(room.id))]);
    const lastSeq = await replayMissed(deps.pages, batchSink(socket), rooms, cursors);
    if (socket.connected) socket.emit('sync:done', { lastSeq });
  } catch (error) {
    toErr(error);
    // Without its catch-up the client would hold a silent gap: make it reconnect and try again.
    socket.disconnect(true);
  }
}

export function batchSink(socket: ChatSocket) {
  return {
    get connected() {
      return socket.connected;
    },
    // Written as the Socket.IO packet socket.emit would make of it, without decoding the JSON to encode it again.
    emitBatch: (page: EncodedPage) => void socket.conn.write(encodedEvent('message:batch', page.json)),
  };
}
