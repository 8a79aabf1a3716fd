/**
 * Presence for the whole cluster: each process counts its own sockets per user,
 * announces its list to the others (Socket.IO serverSideEmit, so over the cluster
 * or Redis adapter), and emits `presence` to its own sockets when the union
 * changes. A user whose last socket closes stays online for a grace period, so a
 * reload or a flapping connection neither flickers presence nor spams notices.
 */
import { randomUUID } from 'node:crypto';
import { GENERAL_ROOM } from '../../shared/limits';
import type { User } from '../../shared/protocol';
import { roomChannel, userChannel } from '../chat/access';
import type { ChatServer, ChatSocket } from '../socket';
import { PresenceState } from './presence-state';

export type PresenceOptions = {
  /** True when other processes exist (cluster or Redis): announce and listen. */
  shared: boolean;
  graceMs?: number;
  debounceMs?: number;
  heartbeatMs?: number;
};

export type Presence = {
  connected(socket: ChatSocket): void;
  disconnected(socket: ChatSocket): void;
  renamed(user: User): void;
  stop(): void;
};

export function createPresence(io: ChatServer, options: PresenceOptions): Presence {
  const { shared, graceMs = 4000, debounceMs = 250, heartbeatMs = 5000 } = options;
  const state = new PresenceState();
  const node = randomUUID();
  const graceTimers = new Map<string, NodeJS.Timeout>();
  let debounce: NodeJS.Timeout | undefined;
  let lastKey = '';

  const notice = (user: User, kind: 'joined' | 'left') =>
    io.to(roomChannel(GENERAL_ROOM)).except(userChannel(user.id)).emit('notice', { room: GENERAL_ROOM, kind, user });

  function emitIfChanged(): void {
    const online = state.online();
    const key = online.map((user) => `${user.id}:${user.name}`).join('|');
    if (key === lastKey) return;
    lastKey = key;
    io.local.emit('presence', { online });
  }

  function announce(): void {
    if (shared) io.serverSideEmit('presence:snapshot', state.snapshot(node, Date.now()));
  }

  function changed(): void {
    if (debounce) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      announce();
      emitIfChanged();
    }, debounceMs);
  }

  if (shared) {
    io.on('presence:snapshot', (snapshot) => {
      if (snapshot.node === node) return;
      state.applySnapshot(snapshot, Date.now());
      emitIfChanged();
    });
    io.on('presence:hello', announce);
    io.serverSideEmit('presence:hello');
  }
  // Re-announce regularly: a process that stops announcing (killed) is dropped after 3 beats.
  const heartbeat = setInterval(() => {
    announce();
    if (state.pruneRemote(Date.now() - heartbeatMs * 3)) emitIfChanged();
  }, heartbeatMs);
  heartbeat.unref();

  return {
    connected(socket) {
      const user = socket.data.user;
      const wasOnline = state.isOnline(user.id);
      clearTimeout(graceTimers.get(user.id));
      graceTimers.delete(user.id);
      const first = state.addSocket(user);
      // A newcomer is announced at once, so a second tab landing on another worker
      // a moment later already counts them as online and sends no second notice.
      if (first) announce();
      socket.emit('presence', { online: state.online() });
      if (!wasOnline) notice(user, 'joined');
      changed();
    },
    disconnected(socket) {
      const user = socket.data.user;
      if (!state.removeSocket(user.id)) return;
      clearTimeout(graceTimers.get(user.id));
      graceTimers.set(
        user.id,
        setTimeout(() => {
          graceTimers.delete(user.id);
          if (!state.dropIfIdle(user.id)) return;
          announce();
          changed();
          if (!state.isOnline(user.id)) notice(user, 'left');
        }, graceMs),
      );
    },
    renamed(user) {
      state.rename(user);
      changed();
    },
    stop() {
      clearInterval(heartbeat);
      clearTimeout(debounce);
      graceTimers.forEach((timer) => clearTimeout(timer));
    },
  };
}
