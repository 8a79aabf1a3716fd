/**
 * Delivery and read receipts from this device's side: tells the server how far each room is held here
 * (`room:delivered`, at most once a second, so a long catch-up costs a handful of events), and whether
 * this person shares how far they read (`PUT /api/me/settings`; unread badges work either way).
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Cursors, ReceiptCounts, RoomId } from '../../shared/protocol';
import { ApiError, fetchReceipts, putSettings } from '../io/api';
import { saveReadReceipts, type ChatRecords } from '../io/db';
import { ACK_TIMEOUT_MS } from '../logic/outbox-logic';
import { liveSocket } from '../realtime/live-socket';
import { useSessionStore } from './session';

/** Acks are gathered this long, then sent once per room with the latest seq. */
export const DELIVERED_THROTTLE_MS = 1_000;

export const useReceiptsStore = defineStore('receipts', () => {
  const sessionStore = useSessionStore();
  const shareReads = ref(true);
  const settingError = ref('');
  /** The highest seq per room told to the server, and the ones still to tell. */
  const told = new Map<RoomId, number>();
  const due = new Map<RoomId, number>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function load(records: Promise<ChatRecords>): Promise<void> {
    shareReads.value = (await records).readReceipts;
  }

  /** The device now holds each room up to its cursor (gap-free): tell the server soon, once. */
  function delivered(cursors: Cursors): void {
    for (const [room, seq] of Object.entries(cursors)) {
      if (seq > (told.get(room) ?? 0) && seq > (due.get(room) ?? 0)) due.set(room, seq);
    }
    if (due.size > 0) timer ??= setTimeout(flush, DELIVERED_THROTTLE_MS);
  }

  /** Sends what is due while caught up; otherwise waits for the next tick (the socket is lent once a catch-up ends). */
  function flush(): void {
    timer = undefined;
    const chat = liveSocket();
    if (!chat) {
      if (due.size > 0) timer = setTimeout(flush, DELIVERED_THROTTLE_MS);
      return;
    }
    for (const [room, seq] of due) {
      told.set(room, seq);
      chat
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('room:delivered', { room, seq })
        .then((answer) => {
          if (!answer.ok && answer.error.code !== 'forbidden') retry(room, seq);
        })
        .catch(() => retry(room, seq));
    }
    due.clear();
  }

  function retry(room: RoomId, seq: number): void {
    if ((told.get(room) ?? 0) === seq) told.delete(room);
    delivered({ [room]: seq });
  }

  /** Turns sharing read receipts on or off, on the server (for every device) and here. */
  async function setShareReads(share: boolean): Promise<boolean> {
    const token = sessionStore.session?.token;
    settingError.value = '';
    if (!token) return false;
    try {
      await putSettings(token, { readReceipts: share });
      shareReads.value = share;
      await saveReadReceipts(share);
      return true;
    } catch (error) {
      settingError.value =
        error instanceof ApiError ? `Not saved: ${error.message}` : 'Not saved: you are offline. This needs a connection.';
      return false;
    }
  }

  /** How many members of `room` received and read `seq` (asked when the person asks: it costs a request). */
  function counts(room: RoomId, seq: number): Promise<ReceiptCounts> {
    const token = sessionStore.session?.token;
    if (!token) return Promise.reject(new Error('signed out'));
    return fetchReceipts(token, room, seq);
  }

  /** The session ended: nothing more is told for it. */
  function reset(): void {
    clearTimeout(timer);
    timer = undefined;
    told.clear();
    due.clear();
    shareReads.value = true;
    settingError.value = '';
  }

  return { shareReads, settingError, load, delivered, counts, setShareReads, reset };
});
