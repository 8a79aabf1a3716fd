/**
 * The rooms list (public rooms and DMs): unread badges, read cursors, join, leave and DM opening; kept in
 * IndexedDB for offline reading. What the person asked for and the server refused is said in words
 * ("Too many requests, try again in 3 s"); what the app asked by itself (sync, read cursors, the listing)
 * is asked again silently when the server says to wait.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { GENERAL_ROOM, isDmRoom } from '../../shared/limits';
import type { Message, Receipt, RoomId, User } from '../../shared/protocol';
import { ApiError, fetchRooms } from '../io/api';
import { saveCurrentRoom, saveRooms, type ChatRecords } from '../io/db';
import { ACK_TIMEOUT_MS } from '../logic/outbox-logic';
import { automaticRetryMs, refusalText } from '../logic/refusal-logic';
import {
  checkRoomName,
  furtherReceipt,
  mergeListing,
  noteSeq,
  renamePeers,
  sortRooms,
  unreadCount,
  type RoomEntry,
} from '../logic/room-logic';
import { liveSocket } from '../realtime/live-socket';
import { useConnectionStore } from './connection';
import { useMessagesStore } from './messages';
import { useSessionStore } from './session';

export type RoomView = RoomEntry & { unread: number };

const GENERAL: RoomEntry = { id: GENERAL_ROOM, kind: 'public', lastSeq: 0, readSeq: 0 };
/** Several unknown rooms in one catch-up ask the server once. */
const REFRESH_DELAY_MS = 300;

/** Plain copies: IndexedDB cannot clone Vue's proxies. */
function plain(room: RoomEntry): RoomEntry {
  const copy: RoomEntry = { id: room.id, kind: room.kind, lastSeq: room.lastSeq, readSeq: room.readSeq };
  if (room.peer) copy.peer = { id: room.peer.id, name: room.peer.name };
  if (room.peerReceipt) copy.peerReceipt = { deliveredSeq: room.peerReceipt.deliveredSeq, readSeq: room.peerReceipt.readSeq };
  return copy;
}

export const useRoomsStore = defineStore('rooms', () => {
  const messages = useMessagesStore();
  const connection = useConnectionStore();
  const sessionStore = useSessionStore();
  const rooms = ref<RoomEntry[]>([GENERAL]);
  const actionError = ref('');
  const busy = ref(false);
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every local join / DM, so a listing fetched before one cannot drop the room it added. */
  let localChanges = 0;
  /** Bumped when a session ends, so an answer for the old one is never stored after the wipe. */
  let generation = 0;
  /** Read cursors the server asked us to send again later, one timer per room (it sends the latest). */
  const readRetries = new Map<RoomId, ReturnType<typeof setTimeout>>();

  const list = computed<RoomView[]>(() => {
    const ownId = sessionStore.session?.user.id;
    return rooms.value.map((room) => {
      const own = messages
        .timelineOf(room.id)
        .flatMap((message) => (message.author.id === ownId && message.seq !== undefined ? [message.seq] : []));
      return { ...room, unread: unreadCount(room.lastSeq, room.readSeq, own) };
    });
  });
  const current = computed<RoomView>(
    () =>
      list.value.find((room) => room.id === messages.currentRoom) ?? {
        id: messages.currentRoom,
        kind: isDmRoom(messages.currentRoom) ? 'dm' : 'public',
        lastSeq: 0,
        readSeq: 0,
        unread: 0,
      },
  );
  const totalUnread = computed(() => list.value.reduce((total, room) => total + room.unread, 0));

  function persist(): void {
    void saveRooms(rooms.value.map(plain)).catch((error: unknown) => messages.reportStorageError(error));
  }

  async function load(records: Promise<ChatRecords>): Promise<void> {
    const { rooms: stored, currentRoom: shown } = await records;
    rooms.value = sortRooms(stored.some((room) => room.id === GENERAL_ROOM) ? stored : [GENERAL, ...stored]);
    // Reopen the room last on screen; a new identity (after an expired session) starts in general.
    const known = (room: RoomId | undefined) => rooms.value.some((entry) => entry.id === room);
    if (shown && known(shown)) select(shown);
    else if (!known(messages.currentRoom)) select(GENERAL_ROOM);
  }

  /** Asks the server for the list (after every catch-up, and when a message names a room we do not know). */
  async function refresh(attempts = 0): Promise<void> {
    const token = sessionStore.session?.token;
    if (!token) return;
    const asked = generation;
    try {
      const before = localChanges;
      const listing = await fetchRooms(token);
      if (asked !== generation) return;
      if (before !== localChanges) return refresh();
      const merged = mergeListing(rooms.value, listing);
      rooms.value = merged.rooms;
      persist();
      // Left on another device while shown here.
      if (!merged.rooms.some((room) => room.id === messages.currentRoom)) select(GENERAL_ROOM);
      // Read here while offline: tell the server now, so the other devices clear their badges too.
      for (const room of merged.readAhead) sendRead(room.id, room.readSeq);
    } catch (error) {
      // Told to wait: ask again then. Offline or a hiccup: the stored list stays, and the next catch-up asks again.
      const delayMs =
        error instanceof ApiError && error.status === 429
          ? automaticRetryMs({ code: 'rate_limited', retryAfterMs: error.retryAfterMs }, attempts, Math.random())
          : undefined;
      if (delayMs !== undefined && asked === generation) scheduleRefresh(delayMs, attempts + 1);
    }
  }

  function scheduleRefresh(delayMs = REFRESH_DELAY_MS, attempts = 0): void {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void refresh(attempts), delayMs);
  }

  /** Raises last seqs from arriving messages; a room we do not know yet (a DM someone opened) is added and named by a refresh. */
  function noteMessages(batch: readonly Message[]): void {
    let next = rooms.value;
    let unknown = false;
    for (const message of batch) {
      const noted = noteSeq(next, message.room, message.seq);
      next = noted.rooms;
      unknown ||= noted.unknown;
    }
    rooms.value = next;
    persist();
    if (unknown) scheduleRefresh();
  }

  /** Presence carries current names: a renamed DM peer is renamed in the list too. */
  function notePeople(people: readonly User[]): void {
    const renamed = renamePeers(rooms.value, people);
    if (!renamed) return;
    rooms.value = renamed;
    persist();
  }

  /** Another device (or this one, echoed) read up to `readSeq`. */
  function applyRead(room: RoomId, readSeq: number): void {
    if (!rooms.value.some((entry) => entry.id === room && entry.readSeq < readSeq)) return;
    rooms.value = rooms.value.map((entry) => (entry.id === room ? { ...entry, readSeq } : entry));
    persist();
  }

  /** `room:receipt`: the other person of a DM received or read further (our ticks move). */
  function applyReceipt(receipt: Receipt, ownId: string): void {
    if (receipt.userId === ownId) return;
    const entry = rooms.value.find((item) => item.id === receipt.room);
    if (!entry) return;
    const next = furtherReceipt(entry.peerReceipt, { deliveredSeq: receipt.deliveredSeq, readSeq: receipt.readSeq });
    if (next?.deliveredSeq === entry.peerReceipt?.deliveredSeq && next?.readSeq === entry.peerReceipt?.readSeq) return;
    rooms.value = rooms.value.map((item) => (item.id === receipt.room ? { ...item, ...(next ? { peerReceipt: next } : {}) } : item));
    persist();
  }

  /** The user sees `room` down to `seq`: clear the badge here at once, on the server when connected (else at the next refresh). */
  function markRead(room: RoomId, seq: number): void {
    const entry = rooms.value.find((item) => item.id === room);
    if (!entry || seq <= entry.readSeq) return;
    applyRead(room, seq);
    sendRead(room, seq);
  }

  /** Tells the server how far `room` is read; told to wait, it sends the latest read cursor then. */
  function sendRead(room: RoomId, seq: number, attempts = 0): void {
    const chat = liveSocket();
    if (!chat || readRetries.has(room)) return;
    const asked = generation;
    chat
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('room:read', { room, seq })
      .then((answer) => {
        const delayMs = answer.ok ? undefined : automaticRetryMs(answer.error, attempts, Math.random());
        if (delayMs === undefined || asked !== generation) return;
        const timer = setTimeout(() => {
          readRetries.delete(room);
          const latest = rooms.value.find((entry) => entry.id === room)?.readSeq ?? seq;
          sendRead(room, Math.max(latest, seq), attempts + 1);
        }, delayMs);
        readRetries.set(room, timer);
      })
      .catch(() => {
        // No answer: the next catch-up's listing shows the server behind, and this is sent again.
      });
  }

  function select(room: RoomId): void {
    actionError.value = '';
    if (messages.currentRoom === room) return;
    messages.currentRoom = room;
    void saveCurrentRoom(room).catch(() => undefined);
  }

  function adopt(entry: RoomEntry): void {
    localChanges++;
    const known = rooms.value.find((room) => room.id === entry.id);
    const merged = known ? { ...known, ...entry, readSeq: Math.max(known.readSeq, entry.readSeq), peer: entry.peer ?? known.peer } : entry;
    rooms.value = sortRooms([...rooms.value.filter((room) => room.id !== entry.id), merged]);
    persist();
  }

  async function run(task: () => Promise<string | undefined>): Promise<boolean> {
    actionError.value = '';
    if (!liveSocket()) {
      actionError.value = 'You are offline. This needs a connection.';
      return false;
    }
    busy.value = true;
    try {
      const problem = await task();
      actionError.value = problem ?? '';
      return !problem;
    } catch {
      actionError.value = 'The server did not answer. Try again.';
      return false;
    } finally {
      busy.value = false;
    }
  }

  /** Joins (or creates) a public room by the name the user typed, then shows it. */
  async function join(input: string): Promise<boolean> {
    const checked = checkRoomName(input);
    if (!checked.ok) {
      actionError.value = checked.message;
      return false;
    }
    return run(async () => {
      const chat = liveSocket();
      if (!chat) return 'You are offline. This needs a connection.';
      const answer = await chat.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { room: checked.room });
      if (!answer.ok) return refusalText(answer.error);
      adopt({ id: answer.room, kind: 'public', lastSeq: answer.lastSeq, readSeq: 0 });
      select(answer.room);
      // Joined: the history arrives in the background, so a refused sync never reads as a failed join.
      void connection.catchUpRoom(answer.room).then(() => refresh());
      return undefined;
    });
  }

  async function leave(room: RoomId): Promise<boolean> {
    return run(async () => {
      const chat = liveSocket();
      if (!chat) return 'You are offline. This needs a connection.';
      const answer = await chat.timeout(ACK_TIMEOUT_MS).emitWithAck('room:leave', { room });
      if (!answer.ok) return refusalText(answer.error);
      rooms.value = rooms.value.filter((entry) => entry.id !== room);
      persist();
      if (messages.currentRoom === room) select(GENERAL_ROOM);
      return undefined;
    });
  }

  /** Opens (or reopens) the private conversation with `peer` and shows it. */
  async function openDm(peer: User): Promise<boolean> {
    return run(async () => {
      const chat = liveSocket();
      if (!chat) return 'You are offline. This needs a connection.';
      const answer = await chat.timeout(ACK_TIMEOUT_MS).emitWithAck('dm:open', { userId: peer.id });
      if (!answer.ok) return refusalText(answer.error);
      adopt({ id: answer.room, kind: 'dm', lastSeq: answer.lastSeq, readSeq: 0, peer });
      select(answer.room);
      void connection.catchUpRoom(answer.room).then(() => refresh());
      return undefined;
    });
  }

  /** The session ended: back to general alone, with nothing pending for the old one. */
  function reset(): void {
    generation++;
    localChanges++;
    clearTimeout(refreshTimer);
    for (const timer of readRetries.values()) clearTimeout(timer);
    readRetries.clear();
    rooms.value = [GENERAL];
    actionError.value = '';
    busy.value = false;
  }

  return {
    rooms,
    list,
    current,
    totalUnread,
    actionError,
    busy,
    load,
    refresh,
    noteMessages,
    notePeople,
    applyRead,
    applyReceipt,
    markRead,
    select,
    join,
    leave,
    openDm,
    reset,
  };
});
