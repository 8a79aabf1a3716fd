/**
 * createSocketServer(httpServer, deps): the Socket.IO edge. Authenticates the
 * handshake, streams catch-up, and gives each client event one handler that
 * validates its payload with the shared schema and answers with an Ack.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type * as v from 'valibot';
import type { Ack, ClientToServerEvents, Cursors, Message, ServerToClientEvents, User } from '../shared/protocol';
import { handshakeAuthSchema, joinSchema, leaveSchema, parsePayload, sendSchema, syncSchema } from '../shared/schema';
import { authenticate } from './auth';
import type { Config } from './config';
import { dmParticipants, roomChannel, userChannel } from './chat/access';
import { replayMissed } from './chat/catch-up';
import { err, toErr } from './chat/errors';
import { sendMessage, type SendDeps } from './chat/send-message';
import { isAllowedOrigin } from './origins';

export type SocketData = { user: User; cursors: Cursors };
export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export type SocketDeps = SendDeps & { config: Pick<Config, 'origins'> };

type AnyAck = (answer: Ack<object>) => void;
type Handler<S extends v.GenericSchema> = (socket: ChatSocket, value: v.InferOutput<S>) => Promise<Ack<object>>;
type UntypedOn = { on(event: string, listener: (...args: unknown[]) => void): void };

/**
 * Registers one client event: the payload is parsed at the door, any throw becomes
 * `unavailable`, and an emit without an ack callback is still processed.
 */
function onEvent<S extends v.GenericSchema>(socket: ChatSocket, event: keyof ClientToServerEvents, schema: S, handler: Handler<S>): void {
  (socket as unknown as UntypedOn).on(event, (...args: unknown[]) => {
    const ack = [...args].reverse().find((arg): arg is AnyAck => typeof arg === 'function');
    const payload = typeof args[0] === 'function' ? undefined : args[0];
    const parsed = parsePayload(schema, payload);
    const answer = parsed.ok ? handler(socket, parsed.value).catch((error: unknown) => ({ ok: false as const, error: toErr(error) })) : Promise.resolve({ ok: false as const, error: parsed.error });
    void answer.then((result) => ack?.(result));
  });
}

export function createSocketServer(httpServer: HttpServer, deps: SocketDeps): ChatServer {
  const io: ChatServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 256 * 1024,
    cors: deps.config.origins.length > 0 ? { origin: deps.config.origins, credentials: false } : undefined,
    allowRequest: (req, callback) => callback(null, isAllowedOrigin(req.headers.origin, req.headers.host, deps.config.origins)),
  });

  io.use((socket, next) => {
    const auth = parsePayload(handshakeAuthSchema, socket.handshake.auth);
    if (!auth.ok) return next(new Error(typeof (socket.handshake.auth as { token?: unknown }).token === 'string' ? 'invalid' : 'unauthorized'));
    authenticate(deps.store, auth.value.token).then(
      (user) => {
        if (!user) return next(new Error('unauthorized'));
        socket.data.user = user;
        socket.data.cursors = auth.value.cursors ?? {};
        next();
      },
      () => next(new Error('unavailable')),
    );
  });

  io.on('connection', (socket) => {
    registerHandlers(io, socket, deps);
    void catchUp(socket, deps);
  });

  return io;
}

/** Joins the live channels first, then replays from the store, so nothing falls between the two. */
async function catchUp(socket: ChatSocket, deps: SocketDeps): Promise<void> {
  const { user, cursors } = socket.data;
  try {
    const rooms = await deps.store.roomsOf(user.id);
    await socket.join([userChannel(user.id), ...rooms.map((room) => roomChannel(room.id))]);
    const lastSeq = await replayMissed(deps.store, batchSink(socket), rooms, cursors);
    if (socket.connected) socket.emit('sync:done', { lastSeq });
  } catch (error) {
    toErr(error);
    // Without its catch-up the client would hold a silent gap: make it reconnect and try again.
    socket.disconnect(true);
  }
}

function batchSink(socket: ChatSocket) {
  return {
    get connected() {
      return socket.connected;
    },
    emitBatch: (messages: Message[]) => void socket.emit('message:batch', messages),
  };
}

function registerHandlers(io: ChatServer, socket: ChatSocket, deps: SocketDeps): void {
  const user = socket.data.user;

  onEvent(socket, 'message:send', sendSchema, async (_socket, payload) => {
    const outcome = await sendMessage(deps, user, payload);
    return outcome.ok ? { ok: true, message: outcome.message } : outcome;
  });

  onEvent(socket, 'room:join', joinSchema, async (_socket, { room }) => {
    const lastSeq = await deps.store.joinRoom(user.id, room, 'public');
    // Every tab and device of this user follows the room, on whichever worker it lives.
    io.in(userChannel(user.id)).socketsJoin(roomChannel(room));
    return { ok: true, room, lastSeq };
  });

  onEvent(socket, 'room:leave', leaveSchema, async (_socket, { room }) => {
    if (dmParticipants(room)) return { ok: false, error: err('invalid', 'a private conversation cannot be left') };
    await deps.store.leaveRoom(user.id, room);
    io.in(userChannel(user.id)).socketsLeave(roomChannel(room));
    return { ok: true };
  });

  onEvent(socket, 'sync', syncSchema, async (_socket, { cursors }) => {
    const requested = Object.keys(cursors);
    if (requested.some((room) => dmParticipants(room) && !dmParticipants(room)?.includes(user.id))) {
      return { ok: false, error: err('forbidden', 'you may not read that conversation') };
    }
    const mine = await deps.store.roomsOf(user.id);
    const rooms = requested.length === 0 ? mine : mine.filter((room) => room.id in cursors);
    const lastSeq = await replayMissed(deps.store, batchSink(socket), rooms, cursors);
    return { ok: true, lastSeq };
  });
}
