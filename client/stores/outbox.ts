/**
 * Messages typed but not yet acknowledged: queued durably first, then sent one at a time, in order, until the
 * server says ok, and only ever as the person who pressed Send. Entries left by a session that ended stay
 * on the device, inert ("not sent — signed out"), until someone deletes them.
 */
import { defineStore } from 'pinia';
import { computed, ref, toRaw } from 'vue';
import type { SendPayload } from '../../shared/protocol';
import { parsePayload, sendSchema } from '../../shared/schema';
import { deleteOutgoing, loadOutbox, queueOutgoing, updateOutgoing } from '../io/db';
import { messageKey, type LocalMessage, type OutboxEntry } from '../logic/models';
import { requestBackgroundFlush } from '../io/background-sync';
import { onOtherTabNews, tellOtherTabs } from '../io/tab-channel';
import {
  clientOffsetFromBytes,
  isAuthor,
  nextOrder,
  nextToSend,
  outcomeOf,
  splitByAuthor,
  unsentMessage,
  type SendResult,
} from '../logic/outbox-logic';
import { useMessagesStore } from './messages';
import { useSessionStore } from './session';

/** What the connection lends the outbox while it is connected and caught up. */
export type Transport = {
  send(payload: SendPayload): Promise<SendResult>;
  /** An ack timed out: the socket may be a zombie (phones), so reconnect it. */
  suspect(): void;
};

export type SendAttempt = { ok: true } | { ok: false; reason: string };

export const useOutboxStore = defineStore('outbox', () => {
  const messages = useMessagesStore();
  const sessionStore = useSessionStore();
  /** Every stored entry, whoever wrote it. */
  const entries = ref<OutboxEntry[]>([]);
  const split = computed(() => splitByAuthor(entries.value, sessionStore.session?.user.id));
  /** The signed-in person's unsent messages (pending or failed). */
  const unsentCount = computed(() => split.value.own.length);
  const failedCount = computed(() => split.value.own.filter((entry) => entry.failed).length);
  /** Written in a session that has ended: shown as "not sent — signed out", never sent. */
  const signedOut = computed(() => split.value.signedOut);
  const attempts = new Map<string, number>();
  let transport: Transport | undefined;
  let flushing = false;
  let wake: (() => void) | undefined;

  async function load(): Promise<void> {
    entries.value = await loadOutbox();
    // Leaving with messages still queued: let the service worker send them once the network returns.
    document.addEventListener('visibilitychange', () => {
      const authorId = sessionStore.session?.user.id;
      if (document.visibilityState === 'hidden' && authorId && nextToSend(entries.value, authorId)) void requestBackgroundFlush();
    });
    onOtherTabNews((news) => {
      if (news === 'outbox-changed') void refreshFromDevice();
    });
  }

  /** Another tab queued, retried or deleted something: adopt the stored outbox as it is now. */
  async function refreshFromDevice(): Promise<void> {
    const stored = await loadOutbox();
    const kept = new Set(stored.map((entry) => entry.clientOffset));
    for (const old of entries.value) {
      if (!kept.has(old.clientOffset)) messages.forgetUnsent(old.room, messageKey(old.authorId, old.clientOffset));
    }
    entries.value = stored;
    showQueued();
    kick(false);
  }

  /** The timeline record of an entry of the signed-in person; none for anyone else's. */
  function localMessage(entry: OutboxEntry): LocalMessage | undefined {
    const user = sessionStore.session?.user;
    return user && isAuthor(entry, user.id) ? unsentMessage(entry, user) : undefined;
  }

  /** Unsent messages are drawn from the outbox itself, whatever happened to the timeline (e.g. a reload). */
  function showQueued(): void {
    const settled: string[] = [];
    for (const entry of entries.value) {
      const message = localMessage(toRaw(entry));
      if (message && !messages.showUnsent(message)) settled.push(entry.clientOffset);
    }
    forget(settled);
  }

  /** Queues a message: IndexedDB first (entry + pending message in one transaction), then the screen, then the wire. */
  async function send(content: string): Promise<SendAttempt> {
    const user = sessionStore.session?.user;
    if (!user) return { ok: false, reason: 'Join first.' };
    const clientOffset = clientOffsetFromBytes(crypto.getRandomValues(new Uint8Array(16)));
    const room = messages.currentRoom;
    const parsed = parsePayload(sendSchema, { room, clientOffset, content });
    // Too long is refused here exactly as the server would refuse it: the message shows as
    // failed (Retry / Delete) and the text is kept, rather than silently not sending.
    if (!parsed.ok && parsed.error.code !== 'too_long') return { ok: false, reason: parsed.error.message };
    const now = Date.now();
    const entry: OutboxEntry = {
      clientOffset,
      // Whoever is signed in when Send is pressed; the entry is only ever sent as them.
      authorId: user.id,
      room,
      content,
      order: nextOrder(entries.value, now),
      createdAt: now,
      ...(parsed.ok ? {} : { failed: parsed.error }),
    };
    const message = unsentMessage(entry, user);
    try {
      await queueOutgoing(entry, message);
    } catch (error) {
      messages.reportStorageError(error);
      return { ok: false, reason: 'Not queued: this device could not store it. Your text is still in the box.' };
    }
    tellOtherTabs('outbox-changed');
    // The device took it: an earlier storage warning no longer holds.
    messages.storageError = '';
    entries.value = [...entries.value, entry];
    messages.showLocal(message);
    if (!transport) void requestBackgroundFlush();
    kick(false);
    return { ok: true };
  }

  /** Our messages the server has stored (ack, live echo or catch-up) leave the outbox. */
  function forget(clientOffsets: readonly string[]): void {
    if (clientOffsets.length === 0) return;
    const gone = new Set(clientOffsets);
    for (const offset of gone) attempts.delete(offset);
    entries.value = entries.value.filter((entry) => !gone.has(entry.clientOffset));
  }

  async function replace(entry: OutboxEntry): Promise<void> {
    const message = localMessage(entry);
    if (!message) return;
    await updateOutgoing(entry, message);
    tellOtherTabs('outbox-changed');
    entries.value = entries.value.map((item) => (item.clientOffset === entry.clientOffset ? entry : item));
    messages.showLocal(message);
  }

  async function retry(clientOffset: string): Promise<void> {
    const entry = entries.value.find((item) => item.clientOffset === clientOffset);
    if (!entry) return;
    attempts.delete(clientOffset);
    await replace({
      clientOffset: entry.clientOffset,
      authorId: entry.authorId,
      room: entry.room,
      content: entry.content,
      order: entry.order,
      createdAt: entry.createdAt,
    });
    kick(true);
  }

  /** Deletes an entry, the signed-in person's or one left by a session that ended. */
  async function remove(clientOffset: string): Promise<void> {
    const entry = entries.value.find((item) => item.clientOffset === clientOffset);
    if (!entry) return;
    const key = messageKey(entry.authorId, clientOffset);
    await deleteOutgoing(clientOffset, key);
    tellOtherTabs('outbox-changed');
    forget([clientOffset]);
    messages.forgetLocal(entry.room, key);
  }

  /** Called with a transport after every catch-up (`sync:done`), and with undefined when the connection drops. */
  function setTransport(next: Transport | undefined): void {
    transport = next;
    if (next) kick(true);
  }

  /** The session is ending: stop sending (a backoff pause ends, and the flush loop finds no transport). */
  function stop(): void {
    transport = undefined;
    attempts.clear();
    wake?.();
  }

  /**
   * The session is gone from memory: show no entries until the device is wiped, since without a session
   * every entry would read as "not sent — signed out", even those a sign-out is about to delete.
   */
  function clear(): void {
    entries.value = [];
  }

  /** The outbox as stored now: after the end of a session its entries are inert; after a sign-out there are none. */
  async function reload(): Promise<void> {
    entries.value = await loadOutbox();
  }

  /** Starts the flush loop; `urgent` also cuts short a backoff pause (new connection, user's Retry). */
  function kick(urgent: boolean): void {
    if (urgent) wake?.();
    if (!flushing) void flush();
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  /**
   * Sends the signed-in person's oldest pending entry, waits for its ack, and repeats: order is kept, same
   * clientOffsets on every replay, and an entry is never sent as anyone but its author.
   */
  async function flush(): Promise<void> {
    flushing = true;
    try {
      for (;;) {
        const current = transport;
        const user = sessionStore.session?.user;
        const entry = user && nextToSend(entries.value, user.id);
        if (!current || !user || !entry) return;
        const result = await current.send({ room: entry.room, clientOffset: entry.clientOffset, content: entry.content });
        const tried = attempts.get(entry.clientOffset) ?? 0;
        const outcome = outcomeOf(result, tried, Math.random());
        if (outcome.kind === 'sent') {
          const { settled } = await messages.ingest([outcome.message], user.id);
          forget([...settled, entry.clientOffset]);
        } else if (outcome.kind === 'failed') {
          const still = entries.value.find((item) => item.clientOffset === entry.clientOffset);
          if (still) await replace({ ...toRaw(still), failed: outcome.error });
        } else if (outcome.kind === 'retry') {
          attempts.set(entry.clientOffset, tried + 1);
          if (outcome.suspectSocket) current.suspect();
          await pause(outcome.delayMs);
        } else {
          return;
        }
      }
    } finally {
      flushing = false;
    }
  }

  return { entries, unsentCount, failedCount, signedOut, load, showQueued, send, forget, retry, remove, setTransport, stop, clear, reload };
});
