/**
 * createSocketServer(httpServer, deps): the Socket.IO edge. Authenticates the
 * handshake, wires each connection's handlers (one file per event group in
 * handlers/), starts its catch-up, and owns live fan-out, presence and renames.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Message, MessageChange, User } from '../../shared/protocol';
import { handshakeAuthSchema, parsePayload, tokenSchema } from '../../shared/schema';
import { pageSource } from '../chat/catch-up';
import { clientAddress } from '../chat/client-address';
import { authenticate } from '../chat/identity';
import { isAllowedOrigin } from '../chat/origins';
import { createTailCache } from '../chat/tail-cache';
import { internalError, log, refusal as logRefusal, type Log } from '../observe/log';
import { metrics } from '../observe/metrics';
import { catchUpOnConnect } from './catch-up';
import { sessionChannel, userChannel } from './channels';
import { changeListeners } from './handlers/changes';
import { messageListeners } from './handlers/messages';
import { roomListeners } from './handlers/rooms';
import { typingListener } from './handlers/typing';
import { visibilityListener } from './handlers/visibility';
import { presenceListListener } from './handlers/presence';
import { listen } from './on-event';
import { createMessageFeed } from './message-feed';
import { createPresence, type Presence } from './presence';
import { watchSlowReaders } from './slow-readers';
import { createDeliveredBatcher } from '../chat/delivered-batcher';
import { createTypingRelay } from './typing-relay';
import type { ChatServer, HandlerDeps, SocketData, SocketDeps } from './types';
import { coalesceWebSocketFrames } from './wire/coalesce-frames';

export type ChatSockets = {
  io: ChatServer;
  /** Call once the adapter is attached: starts cluster-wide presence. */
  startPresence(): void;
  /** A user changed their name or handle: update their sockets and presence everywhere. */
  userUpdated(user: User): void;
  /** Emits a newly committed message to its room's members on every process. */
  publish(message: Message): void;
  /** Emits a newly committed change (edit, delete, reaction) to its room's members on every process. */
  publishChange(change: MessageChange): void;
  /** A session was signed out: its sockets, on every process, are disconnected now. */
  revoked(sessionId: string): void;
};

/** A handshake refusal: `connect_error` with this message, and `data` for the client. */
function refusal(message: string, data: object): Error {
  return Object.assign(new Error(message), { data });
}

/**
 * `data.log`, a child logger with these bindings, made when first used: a socket logs only on an
 * error or a refusal, and making a child for every connection was 1.5% of a worker's time in a
 * connection storm.
 */
function logOnDemand(data: SocketData, bindings: { socket: string; user: string }): void {
  let child: Log | undefined;
  Object.defineProperty(data, 'log', { get: () => (child ??= log.child(bindings)), configurable: true });
}

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.at(-1) : value);

export function createSocketServer(httpServer: HttpServer, socketDeps: SocketDeps): ChatSockets {
  coalesceWebSocketFrames();
  const tail = createTailCache();
  const deps: HandlerDeps = {
    ...socketDeps,
    pages: pageSource(tail, socketDeps.store),
    delivered: createDeliveredBatcher(socketDeps.store),
  };
  const io: ChatServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 256 * 1024,
    cors: deps.config.origins.length > 0 ? { origin: deps.config.origins, credentials: false } : undefined,
    allowRequest: (req, callback) => callback(null, isAllowedOrigin(req.headers.origin, req.headers.host, deps.config.origins)),
  });
  const typing = createTypingRelay(io);
  watchSlowReaders(io, deps.config.maxBufferedBytes);
  let presence: Presence | undefined;
  // Made once: every socket gets the same listeners (on-event.ts).
  const listeners = [
    ...messageListeners(deps),
    ...roomListeners(io, deps),
    ...changeListeners(deps),
    typingListener(deps.budgets, typing),
    visibilityListener(deps.budgets),
    presenceListListener(deps.budgets, () => presence),
  ];

  io.use(async (socket, next) => {
    /** A refused handshake: counted, one log line, and `connect_error` for the client. */
    const refuse = (code: string, data?: object) => {
      metrics.errors.inc({ code });
      if (code === 'rate_limited') metrics.rateLimited.inc({ budget: 'connect' });
      logRefusal(log.child({ socket: socket.id }), code, 'handshake');
      next(data ? refusal(code, data) : new Error(code));
    };
    // Handshakes cost from the client address's budget before any token is looked up.
    const address = clientAddress(socket.handshake.address, header(socket.handshake.headers['x-forwarded-for']), deps.config.trustProxy);
    const rate = await Promise.resolve(deps.budgets.take('connect', address)).catch(() => ({ ok: true as const }));
    if (!rate.ok) return refuse('rate_limited', { retryAfterMs: rate.retryAfterMs });
    const raw: unknown = socket.handshake.auth;
    // A missing, empty, non-string or oversized token is simply not a known one.
    const token = parsePayload(tokenSchema, typeof raw === 'object' && raw !== null ? (raw as { token?: unknown }).token : undefined);
    if (!token.ok) return refuse('unauthorized');
    const auth = parsePayload(handshakeAuthSchema, raw);
    if (!auth.ok) return refuse('invalid');
    authenticate(deps.store, auth.value.token, deps.config.sessionIdleMs).then(
      (found) => {
        if (!found) return refuse('unauthorized');
        // Counted on this process: every socket of one person on one worker shares a channel.
        const open = io.of('/').adapter.rooms.get(userChannel(found.user.id))?.size ?? 0;
        if (open >= deps.config.maxSocketsPerUser) return refuse('too_many_sockets', { max: deps.config.maxSocketsPerUser });
        socket.data.user = found.user;
        socket.data.sessionId = found.session.id;
        socket.data.cursors = auth.value.cursors ?? {};
        socket.data.revs = auth.value.revs;
        socket.data.presence = auth.value.presence ?? 'full';
        socket.data.pages = auth.value.pages ?? 'messages';
        logOnDemand(socket.data, { socket: socket.id, user: found.user.id });
        next();
      },
      (error: unknown) => {
        internalError(log.child({ socket: socket.id }), error, 'handshake');
        next(new Error('unavailable'));
      },
    );
  });

  io.on('connection', (socket) => {
    metrics.socketsConnected.inc();
    // Listeners first and synchronously: events sent right after connect must find them.
    listen(socket, listeners);
    socket.on('disconnect', () => {
      metrics.socketsConnected.dec();
      typing.disconnected(socket);
      presence?.disconnected(socket);
    });
    // A revoked session's sockets are found by this channel on every worker.
    void socket.join(sessionChannel(socket.data.sessionId));
    presence?.connected(socket);
    void catchUpOnConnect(socket, deps);
  });

  const applyUpdate = (user: User) => {
    for (const id of io.of('/').adapter.rooms.get(userChannel(user.id)) ?? []) {
      const socket = io.of('/').sockets.get(id);
      if (socket) socket.data.user = user;
    }
    presence?.renamed(user);
    // Cached pages carry the old name.
    tail.clear();
  };
  io.on('user:updated', applyUpdate);

  return {
    io,
    ...createMessageFeed(io, deps.peers, tail),
    startPresence() {
      presence ??= createPresence(io, { shared: deps.peers !== 'none', listLimit: deps.config.presenceListLimit });
    },
    revoked(sessionId) {
      io.in(sessionChannel(sessionId)).disconnectSockets(true);
    },
    userUpdated(user) {
      applyUpdate(user);
      if (deps.peers !== 'none') io.serverSideEmit('user:updated', user);
    },
  };
}
