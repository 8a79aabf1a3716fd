/**
 * The socket's life: connect with token + cursors, catch up, then lend the outbox a transport.
 * navigator.onLine and ack timeouts are trusted over the socket, which phones leave half-dead.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Cursors, Message, SendPayload } from '../../shared/protocol';
import { fetchRooms } from '../io/api';
import { catchUpTotal } from '../logic/cursor-logic';
import type { Session } from '../logic/models';
import { ACK_TIMEOUT_MS, type SendResult } from '../logic/outbox-logic';
import { lendLiveSocket, withdrawLiveSocket } from '../realtime/live-socket';
import { createChatSocket, type ChatSocket } from '../realtime/socket';
import { useMessagesStore } from './messages';
import { useOutboxStore, type Transport } from './outbox';
import { useSessionStore } from './session';
import { wireSocial } from './social-events';

export type Phase = 'offline' | 'connecting' | 'reconnecting' | 'catching-up' | 'online';

const MAX_SYNC_ROUNDS = 5;
/** A catch-up with no batch and no `sync:done` for this long is stuck: reconnect. */
const CATCH_UP_STALL_MS = 20_000;

export const useConnectionStore = defineStore('connection', () => {
  const messages = useMessagesStore();
  const outbox = useOutboxStore();
  const sessionStore = useSessionStore();
  const phase = ref<Phase>(navigator.onLine ? 'connecting' : 'offline');
  const caughtUp = ref(0);
  const catchUpExpected = ref(0);
  let socket: ChatSocket | undefined;
  let syncing = false;
  /** Counts connections, so a late `sync:done` of a dropped one cannot open the outbox on the next. */
  let epoch = 0;
  let stallTimer: ReturnType<typeof setTimeout> | undefined;

  function start(session: Session): void {
    if (socket) return;
    // presence 'delta': one full list per connection, then only changes (cheap in a crowd).
    const chat = createChatSocket(() => ({ token: session.token, cursors: messages.cursors(), presence: 'delta' }));
    socket = chat;
    const ownId = session.user.id;

    chat.on('connect', () => {
      epoch++;
      watchForStall(chat);
      leaveOnline('catching-up');
      caughtUp.value = 0;
      catchUpExpected.value = 0;
      void estimateCatchUp(session.token, messages.cursors());
    });
    chat.on('message:batch', (batch) => {
      caughtUp.value += batch.length;
      if (phase.value === 'catching-up') watchForStall(chat);
      void receive(batch, ownId);
    });
    chat.on('sync:done', () => {
      clearTimeout(stallTimer);
      const connection = epoch;
      void messages.whenIdle().then(() => {
        if (!chat.connected || connection !== epoch) return;
        goLive(chat);
        outbox.setTransport(transportOf(chat));
        if (messages.hasGap()) void fillGaps(chat);
      });
    });
    chat.on('message:new', (message) => void receive([message], ownId));
    chat.on('disconnect', (reason) => {
      outbox.setTransport(undefined);
      leaveOnline(navigator.onLine ? 'reconnecting' : 'offline');
      // The server hung up on purpose: socket.io does not retry that by itself.
      if (reason === 'io server disconnect' && navigator.onLine) chat.connect();
    });
    chat.on('connect_error', (error) => {
      if (error.message === 'unauthorized') {
        stop();
        void sessionStore.expire();
        return;
      }
      leaveOnline(navigator.onLine ? 'reconnecting' : 'offline');
    });
    wireSocial(chat);
    window.addEventListener('offline', goOffline);
    window.addEventListener('online', goOnline);
    document.addEventListener('visibilitychange', onVisibilityChange);
    if (navigator.onLine) chat.connect();
  }

  function stop(): void {
    window.removeEventListener('offline', goOffline);
    window.removeEventListener('online', goOnline);
    document.removeEventListener('visibilitychange', onVisibilityChange);
    outbox.setTransport(undefined);
    withdrawLiveSocket();
    socket?.removeAllListeners();
    socket?.disconnect();
    socket = undefined;
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

  async function receive(batch: readonly Message[], ownId: string): Promise<void> {
    const result = await messages.ingest(batch, ownId);
    outbox.forget(result.settled);
    if (result.gap && socket && phase.value === 'online') await fillGaps(socket);
  }

  /** A seq beyond cursor + 1 arrived: ask for what we lack, until no room has a hole. */
  async function fillGaps(chat: ChatSocket): Promise<void> {
    if (syncing) return;
    syncing = true;
    try {
      for (let round = 0; round < MAX_SYNC_ROUNDS && messages.hasGap() && chat.connected; round++) {
        await chat.timeout(ACK_TIMEOUT_MS).emitWithAck('sync', { cursors: messages.cursors() });
        await messages.whenIdle();
      }
    } catch {
      // No answer: the next connect catches up from the stored cursors anyway.
    } finally {
      syncing = false;
    }
  }

  async function estimateCatchUp(token: string, cursors: Cursors): Promise<void> {
    try {
      const rooms = await fetchRooms(token);
      catchUpExpected.value = catchUpTotal(cursors, Object.fromEntries(rooms.map((room) => [room.id, room.lastSeq])));
    } catch {
      // Progress is a nicety: without it the banner just counts.
    }
  }

  function transportOf(chat: ChatSocket): Transport {
    return {
      async send(payload: SendPayload): Promise<SendResult> {
        // The browser knows first: a socket may still look open for a moment after the network went.
        if (!chat.connected || !navigator.onLine) return { kind: 'disconnected' };
        try {
          return { kind: 'answer', answer: await chat.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', payload) };
        } catch {
          return chat.connected ? { kind: 'timeout' } : { kind: 'disconnected' };
        }
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

  /** The browser says the network is gone: believe it now rather than wait for a socket timeout. */
  function goOffline(): void {
    leaveOnline('offline');
    outbox.setTransport(undefined);
    socket?.disconnect();
  }

  /** The network is back: the old socket (if it still looks connected) rode a dead route, so start afresh now. */
  function goOnline(): void {
    if (!socket) return;
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
      .emitWithAck('sync', { cursors: messages.cursors() })
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

  return { phase, caughtUp, catchUpExpected, start, stop };
});
