/**
 * The types every realtime module shares: what a socket carries, the events
 * server processes send each other, and the typed Socket.IO server and socket.
 */
import type { Server, Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  Cursors,
  Message,
  MessageChange,
  PageFormat,
  PresenceMode,
  RoomId,
  ServerToClientEvents,
  User,
} from '../../shared/protocol';
import type { Budgets } from '../chat/budgets';
import type { PageSource } from '../chat/catch-up';
import type { ChangeDeps } from '../chat/change-message';
import type { DeliveredBatcher } from '../chat/delivered-batcher';
import type { SendDeps } from '../chat/send-message';
import type { PresenceDelta, PresenceSnapshot } from '../chat/presence-state';
import type { Config } from '../config';
import type { Log } from '../observe/log';

/** What a socket carries from its handshake: who, on which session (device), and what it holds. */
export type SocketData = {
  user: User;
  sessionId: string;
  cursors: Cursors;
  /** Change cursors from the handshake; undefined: the client does not follow changes (a v1 client). */
  revs?: Cursors;
  /** What the handshake asked for (`auth.presence`; v1: 'full'). */
  presence: PresenceMode;
  /** How catch-up pages go to it (`auth.pages`; v1: 'messages', as `message:batch`). */
  pages: PageFormat;
  /** A catch-up (on connect or `sync`) is streaming to this socket: one at a time. */
  catchingUp?: boolean;
  /** Every line about this socket carries its id and its user's (never the token). */
  log: Log;
  /** The app on this socket said it is hidden (`app:visibility`): its device gets pushes. */
  hidden?: boolean;
};

/** Events between server processes (over the cluster or Redis adapter). */
export type InterServerEvents = {
  'presence:snapshot': (snapshot: PresenceSnapshot) => void;
  'presence:delta': (delta: PresenceDelta) => void;
  'presence:hello': () => void;
  /** A user's name or handle changed. */
  'user:updated': (user: User) => void;
  'messages:committed': (messages: Message[]) => void;
  'changes:committed': (changes: MessageChange[]) => void;
  /** A device subscribed to Web Push on some process: every process starts queueing pushes. */
  'push:subscribed': () => void;
};

/** The events that carry committed batches between processes (message-feed.ts): they must not be lost while Redis is away. */
export const COMMITTED_EVENTS: ReadonlyArray<keyof InterServerEvents> = ['messages:committed', 'changes:committed'];

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Other server processes, and how they are reached: none, the workers of this machine, or every instance through Redis. */
export type Peers = 'none' | 'cluster' | 'redis';

export type SocketDeps = SendDeps &
  ChangeDeps & {
    config: Pick<
      Config,
      | 'origins'
      | 'sessionIdleMs'
      | 'trustProxy'
      | 'maxRoomsPerUser'
      | 'maxSocketsPerUser'
      | 'presenceListLimit'
      | 'maxBufferedBytes'
      | 'historyWindow'
      | 'catchUpCap'
    >;
    /** Every request's budget (chat/budgets.ts): actions and signals per user, handshakes per address. */
    budgets: Budgets;
    peers: Peers;
    /** The user read `room` up to `seq` on device `sessionId` (Web Push tells their other devices). */
    readOnDevice?(userId: string, sessionId: string, room: RoomId, seq: number): void;
  };

/** What handlers need besides the server and their socket: the send path and catch-up pages. */
export type HandlerDeps = SocketDeps & {
  /** Catch-up pages: from this process's tail cache when it has them, else from the store. */
  pages: PageSource;
  /** Delivered receipts, written in batches (chat/delivered-batcher.ts). */
  delivered: DeliveredBatcher;
};
