/**
 * The socket's life: connect, catch up, then lend the outbox a transport and the other stores the socket.
 * navigator.onLine and ack timeouts are trusted over the socket, which phones leave half-dead.
 * A handshake the server refuses (too many attempts, too many sockets) is tried again with backoff,
 * which socket.io does not do by itself. It listens to no socket event itself: client/socket-events.ts
 * calls the handlers below.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Cursors, Message, MessageChange, RoomId, SyncDone } from '../../shared/protocol';
import { fetchRoomsAndLimits } from '../io/api';
import { catchUpTotal, roomSyncOf } from '../logic/cursor-logic';
import { ACK_TIMEOUT_MS, type SendResult, type Wire } from '../logic/outbox-logic';
import { afterRefusedHandshake, automaticRetryMs, type HandshakeRefusal } from '../logic/refusal-logic';
import { lendLiveSocket, withdrawLiveSocket } from '../realtime/live-socket';
import type { ChatSocket, DisconnectReason } from '../realtime/socket';
import { useMessagesStore } from './messages';
import { useOutboxStore, type Transport } from './outbox';

export type Phase = 'offline' | 'connecting' | 'reconnecting' | 'catching-up' | 'online';

/** The server refused the handshake: why, and in how many seconds we try again (for the banner). */
export type Refused = { reason: HandshakeRefusal; seconds: number };

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The `data` a server refusal carries (`connect_error`'s `err.data`), e.g. `{ retryAfterMs }`. */
function refusalData(error: Error): unknown {
  return 'data' in error ? error.data : undefined;
}

const MAX_SYNC_ROUNDS = 5;
/** A catch-up with no batch and no `sync:done` for this long is stuck: reconnect. */
const CATCH_UP_STALL_MS = 20_000;

export const useConnectionStore = defineStore('connection', () => {
  const messages = useMessagesStore();
  const outbox = useOutboxStore();
  const phase = ref<Phase>(navigator.onLine ? 'connecting' : 'offline');
  const caughtUp = ref(0);
  const catchUpExpected = ref(0);
  const refused = ref<Refused>();
  let socket: ChatSocket | undefined;
  /** Handshakes refused in a row: the backoff grows with them. */
  let refusals = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTicker: ReturnType<typeof setInterval> | undefined;
  let syncing = false;
  /** Syncs of one room under way (a room just joined): the hole below its window is not a gap until its ack says so. */
  let roomSyncs = 0;
  /** Counts connections, so a late `sync:done` of a dropped one cannot open the outbox on the next. */
  let epoch = 0;
  let stallTimer: ReturnType<typeof setTimeout> | undefined;

  /** True from `start` until the session ends: a renamed session must not open a second socket. */
  function hasSocket(): boolean {
    return socket !== undefined;
  }

  /** Takes charge of a new socket (client/socket-events.ts has registered its listeners) and connects it unless the browser says offline. */
  function start(chat: ChatSocket): void {
    socket = chat;
    window.addEventListener('offline', goOffline);
    window.addEventListener('online', goOnline);
    document.addEventListener('visibilitychange', onVisibilityChange);
    if (navigator.onLine) chat.connect();
  }

  /** The session is ending: close the socket for good (no listener hears it go) and forget its connection. */
  function stop(): void {
    window.removeEventListener('offline', goOffline);
    window.removeEventListener('online', goOnline);
    document.removeEventListener('visibilitychange', onVisibilityChange);
    clearTimeout(stallTimer);
    cancelRetry();
    refusals = 0;
    outbox.setTransport(undefined);
    withdrawLiveSocket();
    socket?.removeAllListeners();
    socket?.disconnect();
    socket = undefined;
    phase.value = navigator.onLine ? 'connecting' : 'offline';
  }

  /** `connect`: the server now sends what we lack after the handshake's cursors; `token` lets us estimate how much. */
  function connected(token: string): void {
    if (!socket) return;
    cancelRetry();
    refusals = 0;
    epoch++;
    watchForStall(socket);
    leaveOnline('catching-up');
    caughtUp.value = 0;
    catchUpExpected.value = 0;
    void estimateCatchUp(token, messages.cursors());
  }

  /** `message:batch`: progress for the banner, and proof that the catch-up is not stuck. */
  function countCatchUp(count: number): void {
    caughtUp.value += count;
    if (socket && phase.value === 'catching-up') watchForStall(socket);
  }

  /**
   * `sync:done`: once every batch before it is stored (rooms sent only their newest messages know it,
   * `windows`, and rooms new to the device start at the server's last rev), go online, give the outbox its
   * transport and fill any gap; then keep storage bounded.
   */
  function catchUpDone(done: SyncDone): void {
    clearTimeout(stallTimer);
    const chat = socket;
    if (!chat) return;
    const connection = epoch;
    void (async () => {
      await messages.applyWindows(done.windows);
      await messages.settleChanges(done.lastRev ?? {});
    })().then(() => {
      void messages.evictOld(messages.currentRoom);
      if (!chat.connected || connection !== epoch) return;
      goLive(chat);
      outbox.setTransport(transportOf(chat));
      if (messages.hasGap()) void fillGaps(chat);
    });
  }

  /** `disconnect`: nothing is sent until the next catch-up. */
  function disconnected(reason: DisconnectReason): void {
    outbox.setTransport(undefined);
    leaveOnline(navigator.onLine ? 'reconnecting' : 'offline');
    // The server hung up on purpose: socket.io does not retry that by itself.
    if (reason === 'io server disconnect' && navigator.onLine) socket?.connect();
  }

  /**
   * `connect_error`: an unknown token means the session has ended (the caller ends it everywhere). A network
   * failure socket.io retries by itself; a refusal by the server (too many attempts or sockets, unavailable)
   * it does not, so we try again after the backoff and the banner says why.
   */
  function connectFailed(error: Error): 'session-ended' | 'retrying' {
    const chat = socket;
    const next = afterRefusedHandshake(error.message, refusalData(error), refusals, Math.random());
    if (next.kind === 'session-ended') return 'session-ended';
    leaveOnline(navigator.onLine ? 'reconnecting' : 'offline');
    // `active`: socket.io is still retrying on its own (the server was not reached, or dropped us).
    if (!chat || chat.active) return 'retrying';
    refusals++;
    retryAfter(chat, next.reason, next.delayMs);
    return 'retrying';
  }

  function retryAfter(chat: ChatSocket, reason: HandshakeRefusal, delayMs: number): void {
    cancelRetry();
    const at = Date.now() + delayMs;
    const count = () => (refused.value = { reason, seconds: Math.max(0, Math.ceil((at - Date.now()) / 1000)) });
    count();
    retryTicker = setInterval(count, 1000);
    retryTimer = setTimeout(() => {
      cancelRetry();
      if (socket === chat && navigator.onLine) chat.connect();
    }, delayMs);
  }

  function cancelRetry(): void {
    clearTimeout(retryTimer);
    clearInterval(retryTicker);
    refused.value = undefined;
  }

  function watchForStall(chat: ChatSocket): void {
    clearTimeout(stallTimer);
    const connection = epoch;
    stallTimer = setTimeout(() => {
      if (connection !== epoch || phase.value !== 'catching-up' || !chat.connected || !navigator.onLine) return;
      leaveOnline('reconnecting');
      chat.disconnect();
      chat.connect();
    }, CATCH_UP_STALL_MS);
  }

  /** `message:batch` and `message:new`: store them, settle our own in the outbox, and ask for any gap they reveal. */
  async function receive(batch: readonly Message[], ownId: string): Promise<void> {
    const result = await messages.ingest(batch, ownId);
    outbox.forget(result.settled);
    if (result.gap && socket && phase.value === 'online' && roomSyncs === 0) await fillGaps(socket);
  }

  /** `change:batch` and `message:change`: apply them once each, settle our own queued changes, and ask for any rev gap. */
  async function receiveChanges(changes: readonly MessageChange[], ownId: string): Promise<void> {
    const result = await messages.applyChanges(changes, ownId);
    outbox.forget(result.settled);
    if (result.gap && socket && phase.value === 'online' && roomSyncs === 0) await fillGaps(socket);
  }

  /**
   * Fetches a room's history we may not hold yet (a room just joined, an older DM): after our cursor when
   * we hold some of it, else its newest window, like a first sync (older messages come with "load older").
   * Gaps its batches seem to open wait for the ack's windows; told to wait, it asks again then.
   */
  async function catchUpRoom(room: RoomId): Promise<void> {
    const chat = socket;
    if (!chat || phase.value !== 'online') return;
    roomSyncs++;
    try {
      for (let attempts = 0; chat.connected; attempts++) {
        const allRevs = messages.revs();
        const revs = Object.hasOwn(allRevs, room) ? { [room]: allRevs[room] } : {};
        const answer = await chat
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck('sync', { ...roomSyncOf(messages.cursors(), room), revs })
          .catch(() => undefined);
        if (answer?.ok) {
          await messages.applyWindows(answer.windows);
          await messages.settleChanges(answer.lastRev ?? {});
        }
        const delayMs = answer && !answer.ok ? automaticRetryMs(answer.error, attempts, Math.random()) : undefined;
        if (delayMs === undefined) break;
        await wait(delayMs);
      }
    } finally {
      roomSyncs--;
    }
    // A live message that did open a gap meanwhile is asked for now.
    if (chat.connected && phase.value === 'online' && roomSyncs === 0 && messages.hasGap()) void fillGaps(chat);
  }

  /** A seq beyond cursor + 1 (or a rev beyond the change cursor) arrived: ask for what we lack, until no room has a hole. A `rate_limited` answer waits as told, silently. */
  async function fillGaps(chat: ChatSocket): Promise<void> {
    if (syncing) return;
    syncing = true;
    try {
      let waits = 0;
      for (let round = 0; round < MAX_SYNC_ROUNDS && messages.hasGap() && chat.connected;) {
        const answer = await chat.timeout(ACK_TIMEOUT_MS).emitWithAck('sync', { cursors: messages.cursors(), revs: messages.revs() });
        const delayMs = answer.ok ? undefined : automaticRetryMs(answer.error, waits, Math.random());
        if (delayMs !== undefined) {
          waits++;
          await wait(delayMs);
          continue;
        }
        round++;
        await messages.whenIdle();
        await messages.applyWindows(answer.ok ? answer.windows : undefined);
        if (answer.ok) await messages.settleChanges(answer.lastRev ?? {});
      }
    } catch {
      // No answer: the next connect catches up from the stored cursors anyway.
    } finally {
      syncing = false;
    }
  }

  async function estimateCatchUp(token: string, cursors: Cursors): Promise<void> {
    try {
      const { rooms, limits } = await fetchRoomsAndLimits(token);
      catchUpExpected.value = catchUpTotal(cursors, Object.fromEntries(rooms.map((room) => [room.id, room.lastSeq])), limits);
    } catch {
      // Progress is a nicety: without it the banner just counts.
    }
  }

  function transportOf(chat: ChatSocket): Transport {
    return {
      async send(wire: Wire): Promise<SendResult> {
        // The browser knows first: a socket may still look open for a moment after the network went.
        if (!chat.connected || !navigator.onLine) return { kind: 'disconnected' };
        try {
          return { kind: 'answer', answer: await emit(chat, wire) };
        } catch {
          return chat.connected ? { kind: 'timeout' } : { kind: 'disconnected' };
        }
      },
      repair() {
        if (chat.connected && phase.value === 'online') void fillGaps(chat);
      },
      suspect() {
        if (!chat.connected) return;
        chat.disconnect();
        if (navigator.onLine) {
          leaveOnline('reconnecting');
          chat.connect();
        }
      },
    };
  }

  /** One outbox entry on the wire, acked within the timeout. */
  function emit(chat: ChatSocket, wire: Wire): Promise<Extract<SendResult, { kind: 'answer' }>['answer']> {
    const timed = chat.timeout(ACK_TIMEOUT_MS);
    switch (wire.event) {
      case 'message:send':
        return timed.emitWithAck('message:send', wire.payload);
      case 'message:edit':
        return timed.emitWithAck('message:edit', wire.payload);
      case 'message:delete':
        return timed.emitWithAck('message:delete', wire.payload);
      case 'reaction:set':
        return timed.emitWithAck('reaction:set', wire.payload);
    }
  }

  /** The browser says the network is gone: believe it now rather than wait for a socket timeout. */
  function goOffline(): void {
    cancelRetry();
    leaveOnline('offline');
    outbox.setTransport(undefined);
    socket?.disconnect();
  }

  /** The network is back: the old socket (if it still looks connected) rode a dead route, so start afresh now. */
  function goOnline(): void {
    if (!socket) return;
    cancelRetry();
    // disconnect() also cancels socket.io's pending backoff timer, so the attempt below is immediate.
    socket.disconnect();
    leaveOnline('connecting');
    socket.connect();
  }

  /** Back from the background (phones freeze sockets silently): an acked sync proves the socket is alive and fetches what we missed. */
  function onVisibilityChange(): void {
    const chat = socket;
    if (document.visibilityState !== 'visible' || !chat?.connected || phase.value !== 'online') return;
    chat
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('sync', { cursors: messages.cursors(), revs: messages.revs() })
      .catch(() => {
        if (socket === chat && navigator.onLine) {
          chat.disconnect();
          chat.connect();
        }
      });
  }

  /** Caught up: lend the socket to the stores that emit on it (rooms, typing). */
  function goLive(chat: ChatSocket): void {
    phase.value = 'online';
    lendLiveSocket(chat);
  }

  /** Every other phase change comes through here, so the socket is lent exactly while we are online. */
  function leaveOnline(next: Exclude<Phase, 'online'>): void {
    phase.value = next;
    withdrawLiveSocket();
  }

  return {
    phase,
    caughtUp,
    catchUpExpected,
    refused,
    hasSocket,
    start,
    stop,
    connected,
    countCatchUp,
    catchUpDone,
    receive,
    receiveChanges,
    catchUpRoom,
    disconnected,
    connectFailed,
  };
});
