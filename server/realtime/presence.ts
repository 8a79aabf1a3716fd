/**
 * Presence for the whole cluster: each process counts its own sockets per user,
 * tells the others what changed (Socket.IO serverSideEmit, so over the cluster or
 * Redis adapter; a full snapshot on every heartbeat heals anything missed), and
 * emits `presence` to its own sockets when the union changes. A user whose last
 * socket closes stays online for a grace period, so a reload or a flapping
 * connection neither flickers presence nor spams notices.
 *
 * Cost: a full `presence` list to every socket is O(online²) bytes per change, so
 * emits are paced (slower as more people are online), clients may ask for deltas
 * (`auth.presence: 'delta'`), and connection notices stop in a crowd, where they
 * would be noise anyway. Even deltas are O(online²) in a connection storm (each
 * newcomer's first list, every join to everyone): 'bounded' clients (the PWA) are
 * told only how many are online above a limit (PRESENCE_LIST_LIMIT) and ask for names
 * (`presence:list`) when they show them.
 */
import { randomUUID } from 'node:crypto';
import { GENERAL_ROOM, PRESENCE_LIST_LIMIT } from '../../shared/limits';
import type { PresenceList, User } from '../../shared/protocol';
import { PresenceState } from '../chat/presence-state';
import { PRESENCE_BOUNDED_CHANNEL, PRESENCE_DELTA_CHANNEL, roomChannel, userChannel } from './channels';
import type { ChatServer, ChatSocket } from './types';

export type PresenceOptions = {
  /** True when other processes exist (cluster or Redis): announce and listen. */
  shared: boolean;
  graceMs?: number;
  heartbeatMs?: number;
  /** Above this many online, 'bounded' sockets get `presence:count` (CHAT_PRESENCE_LIST_LIMIT). */
  listLimit?: number;
  /**
   * With other processes, how long a joined notice waits to hear whether another process saw
   * the same user first (two tabs, two workers, before either heard of the other).
   */
  noticeSettleMs?: number;
};

export type Presence = {
  connected(socket: ChatSocket): void;
  disconnected(socket: ChatSocket): void;
  renamed(user: User): void;
  /** Up to `limit` people online by name (`query` narrows), and how many matched. */
  list(query: string, limit: number): PresenceList;
};

/** Above this many people online, first-connection / last-disconnection notices are not sent. */
export const CONNECTION_NOTICE_LIMIT = 200;

/** How long a process gathers its presence changes before telling the others (see announceChange). */
const DELTA_PACE_MS = 25;

/** 2 ms a person online, at least 250 ms and at most `capMs`. */
const pacedBy = (online: number, capMs: number): number => Math.min(capMs, Math.max(250, online * 2));

/** 250 ms for a small team, up to 5 s for thousands online. */
export const emitInterval = (online: number): number => pacedBy(online, 5000);

/**
 * How often a crowd's bounded sockets hear the count: as lists up to 2,500 online, then on,
 * up to 30 s (20 s at 10,000). Each count goes to every bounded socket, O(online) frames a
 * time: at 5 s that was 10,000 frames every 5 s for 10,000 phones, as many as a storm of
 * 2,500 newcomers' own handshakes, for a number that moved by a fraction of a percent.
 */
export const countInterval = (online: number): number => pacedBy(online, 30_000);

export function createPresence(io: ChatServer, options: PresenceOptions): Presence {
  const { shared, graceMs = 4000, heartbeatMs = 5000, listLimit = PRESENCE_LIST_LIMIT, noticeSettleMs = 1000 } = options;
  const state = new PresenceState();
  const node = randomUUID();
  const graceTimers = new Map<string, NodeJS.Timeout>();
  let told = new Map<string, User>(); // what this process's clients were last told
  let emitTimer: NodeJS.Timeout | undefined;
  let pending: { joined: Map<string, User>; left: Set<string> } = { joined: new Map(), left: new Set() };
  let deltaScheduled = false;
  // The crowd's count as bounded sockets last heard it, and when (null: they hold a list).
  let countTold: { online: number; at: number } | null = null;
  let countTimer: NodeJS.Timeout | undefined;

  const connectionNotice = (user: User, kind: 'joined' | 'left') => {
    if (told.size > CONNECTION_NOTICE_LIMIT) return;
    io.to(roomChannel(GENERAL_ROOM)).except(userChannel(user.id)).emit('notice', { room: GENERAL_ROOM, kind, user });
  };

  /**
   * Alone, a first socket here is the user's first anywhere. With other processes, a second
   * tab may land elsewhere before this process's delta got there: after a settling pause the
   * process that saw the user first (PresenceState.firstPlace) sends the one notice.
   */
  function joinedNotice(user: User): void {
    if (!shared) return connectionNotice(user, 'joined');
    // In a crowd there will be no notice: no timer per newcomer of a connection storm either.
    if (told.size > CONNECTION_NOTICE_LIMIT) return;
    setTimeout(() => {
      const latest = state.localUser(user.id);
      if (latest && state.firstPlace(user.id, node)) connectionNotice(latest, 'joined');
    }, noticeSettleMs).unref();
  }

  function emitToClients(): void {
    emitTimer = undefined;
    const change = state.diff(told);
    if (change.joined.length === 0 && change.left.length === 0) return;
    told = new Map(change.online.map((user) => [user.id, user]));
    io.local.except([PRESENCE_DELTA_CHANNEL, PRESENCE_BOUNDED_CHANNEL]).emit('presence', { online: change.online });
    if (change.online.length > listLimit) {
      // A crowd: bounded sockets that held a list drop to counts (presence:count tells them to).
      io.local.in(PRESENCE_BOUNDED_CHANNEL).socketsLeave(PRESENCE_DELTA_CHANNEL);
      io.local.to(PRESENCE_DELTA_CHANNEL).emit('presence:delta', { joined: change.joined, left: change.left });
      tellCount();
      return;
    }
    countTold = null;
    clearTimeout(countTimer);
    countTimer = undefined;
    io.local.to(PRESENCE_DELTA_CHANNEL).emit('presence:delta', { joined: change.joined, left: change.left });
    // The crowd thinned: bounded sockets told only counts get a list again, then deltas.
    io.local.to(PRESENCE_BOUNDED_CHANNEL).except(PRESENCE_DELTA_CHANNEL).emit('presence', { online: change.online });
    io.local.in(PRESENCE_BOUNDED_CHANNEL).socketsJoin(PRESENCE_DELTA_CHANNEL);
  }

  /**
   * The crowd's count to bounded sockets: at once when they held a list until now, else at most
   * once per countInterval, the latest count when that is up (a newcomer is told it on connecting).
   */
  function tellCount(): void {
    const online = state.onlineCount();
    if (countTold?.online === online || countTimer) return;
    const wait = countTold ? countTold.at + countInterval(online) - Date.now() : 0;
    if (wait > 0) {
      countTimer = setTimeout(() => {
        countTimer = undefined;
        if (countTold) tellCount();
      }, wait);
      countTimer.unref();
      return;
    }
    countTold = { online, at: Date.now() };
    io.local.to(PRESENCE_BOUNDED_CHANNEL).emit('presence:count', { online });
  }

  function scheduleEmit(): void {
    emitTimer ??= setTimeout(emitToClients, emitInterval(told.size));
  }

  /**
   * Tells the other processes what changed here, at most one delta per DELTA_PACE_MS: in a
   * connection storm a delta per event-loop turn was an IPC message (and a hop through the
   * primary) for every few newcomers. Well inside the notice's settling pause and the pace of
   * presence emits to clients, so nobody sees the difference.
   */
  function announceChange(user: User, kind: 'joined' | 'left'): void {
    if (!shared) return;
    if (kind === 'joined') {
      pending.left.delete(user.id);
      pending.joined.set(user.id, user);
    } else {
      pending.joined.delete(user.id);
      pending.left.add(user.id);
    }
    if (deltaScheduled) return;
    deltaScheduled = true;
    setTimeout(() => {
      deltaScheduled = false;
      const joined = [...pending.joined.values()];
      const left = [...pending.left];
      pending = { joined: new Map(), left: new Set() };
      const since = joined.map((user) => state.localSince(user.id) ?? Date.now());
      io.serverSideEmit('presence:delta', { node, joined, since, left });
    }, DELTA_PACE_MS);
  }

  function announceSnapshot(): void {
    if (shared) io.serverSideEmit('presence:snapshot', state.snapshot(node, Date.now()));
  }

  if (shared) {
    io.on('presence:snapshot', (snapshot) => {
      if (snapshot.node === node) return;
      state.applySnapshot(snapshot, Date.now());
      scheduleEmit();
    });
    io.on('presence:delta', (delta) => {
      if (delta.node === node) return;
      state.applyDelta(delta, Date.now());
      scheduleEmit();
    });
    io.on('presence:hello', announceSnapshot);
    io.serverSideEmit('presence:hello');
  }
  // Full snapshots regularly: a process that stops sending them (killed) is dropped after 3 beats.
  const heartbeat = setInterval(() => {
    announceSnapshot();
    if (state.pruneRemote(Date.now() - heartbeatMs * 3)) scheduleEmit();
  }, heartbeatMs);
  heartbeat.unref();

  return {
    connected(socket) {
      const user = socket.data.user;
      const wasOnline = state.isOnline(user.id);
      clearTimeout(graceTimers.get(user.id));
      graceTimers.delete(user.id);
      // A newcomer is announced at once, so a second tab landing on another worker
      // a moment later already counts them as online and sends no second notice.
      if (state.addSocket(user)) announceChange(user, 'joined');
      const mode = socket.data.presence;
      if (mode === 'bounded') void socket.join(PRESENCE_BOUNDED_CHANNEL);
      const online = state.onlineCount();
      if (mode === 'bounded' && online > listLimit) socket.emit('presence:count', { online });
      else {
        socket.emit('presence', { online: state.online() });
        if (mode !== 'full') void socket.join(PRESENCE_DELTA_CHANNEL);
      }
      if (!wasOnline) joinedNotice(user);
      scheduleEmit();
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
          announceChange(user, 'left');
          scheduleEmit();
          if (!state.isOnline(user.id)) connectionNotice(user, 'left');
        }, graceMs),
      );
    },
    list(query, limit) {
      return state.list(query, limit);
    },
    renamed(user) {
      state.rename(user);
      if (state.hasLocalSockets(user.id)) announceChange(user, 'joined');
      scheduleEmit();
    },
  };
}
