/**
 * Operations not yet acknowledged (sends, replies, edits, deletes, reactions): queued durably first, then
 * sent one at a time, in order, until the server says ok, and only ever as the person who queued them.
 * Editing or deleting a message still queued rewrites or removes its send instead. Entries left by a
 * session that ended stay on the device, inert ("not sent — signed out"), until someone deletes them.
 */
import { defineStore } from 'pinia';
import { computed, ref, toRaw } from 'vue';
import { deleteSchema, editSchema, parsePayload, reactionSchema, sendSchema } from '../../shared/schema';
import { deleteOutgoing, loadOutbox, queueOutgoing, rewriteOutgoing, updateOutgoing, type ChatRecords } from '../io/db';
import { messageKey, type ChangeEntry, type LocalMessage, type OutboxEntry, type SendEntry } from '../logic/models';
import { requestBackgroundFlush } from '../io/background-sync';
import { onOtherTabNews, tellOtherTabs } from '../io/tab-channel';
import {
  backoffMs,
  changeQueued,
  clientOffsetFromBytes,
  isAuthor,
  nextOrder,
  nextToSend,
  outcomeOf,
  queuedSends,
  replyQuote,
  splitByAuthor,
  targetOf,
  unsentMessage,
  wireOf,
  type SendOutcome,
  type SendResult,
  type Wire,
} from '../logic/outbox-logic';
import type { FilesOutcome, Prepared } from './attachments';
import { useMessagesStore } from './messages';
import { useSessionStore } from './session';

/** What the connection lends the outbox while it is connected and caught up. */
export type Transport = {
  send(wire: Wire): Promise<SendResult>;
  /** An ack timed out: the socket may be a zombie (phones), so reconnect it. */
  suspect(): void;
  /** An ack revealed a seq or rev gap: ask `sync` for what is missing. */
  repair(): void;
};

export type SendAttempt = { ok: true } | { ok: false; reason: string };

export const useOutboxStore = defineStore('outbox', () => {
  const messages = useMessagesStore();
  const sessionStore = useSessionStore();
  /** Every stored entry, whoever wrote it. */
  const entries = ref<OutboxEntry[]>([]);
  const split = computed(() => splitByAuthor(entries.value, sessionStore.session?.user.id));
  /** The signed-in person's unsent messages (pending or failed); queued reactions and edits are not messages. */
  const unsentCount = computed(() => queuedSends(split.value.own).length);
  const failedCount = computed(() => split.value.own.filter((entry) => entry.failed).length);
  /** Messages written in a session that has ended: shown as "not sent — signed out", never sent. */
  const signedOut = computed(() => queuedSends(split.value.signedOut));
  /** The signed-in person's queued edits, deletes and reactions by the message they change, in the order made (shown at once). */
  const queuedChanges = computed(() => {
    const byTarget = new Map<string, ChangeEntry[]>();
    for (const entry of split.value.own) {
      if (entry.kind !== 'send') byTarget.set(entry.targetKey, [...(byTarget.get(entry.targetKey) ?? []), entry]);
    }
    return byTarget;
  });
  /** Why the server refused an edit, delete or reaction (it is dropped: the message shows the server's state again). */
  const refusal = ref('');
  const attempts = new Map<string, number>();
  let transport: Transport | undefined;
  let flushing = false;
  let wake: (() => void) | undefined;
  let listening = false;

  /**
   * The outbox as stored now (after the end of a session its entries are inert; after a sign-out there
   * are none); the first call also starts following the page and the other tabs (the chat or the Join
   * screen may call it first). Taken from the chat's read when given one (chat-state.ts), else read alone.
   */
  async function load(records?: Promise<ChatRecords>): Promise<void> {
    entries.value = records ? (await records).outbox : await loadOutbox();
    if (listening) return;
    listening = true;
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
    for (const old of queuedSends(entries.value)) {
      if (!kept.has(old.clientOffset)) messages.forgetUnsent(old.room, messageKey(old.authorId, old.clientOffset));
    }
    entries.value = stored;
    showQueued();
    kick(false);
  }

  /** The timeline record of a send of the signed-in person; none for anyone else's, nor for a change. */
  function localMessage(entry: OutboxEntry): LocalMessage | undefined {
    const user = sessionStore.session?.user;
    return user && entry.kind === 'send' && isAuthor(entry, user.id) ? unsentMessage(entry, user) : undefined;
  }

  /** Unsent messages are drawn from the outbox itself, whatever happened to the timeline (e.g. a reload). */
  function showQueued(): void {
    const settled: string[] = [];
    for (const entry of queuedSends(entries.value)) {
      const message = localMessage(toRaw(entry));
      if (message && !messages.showUnsent(message)) settled.push(entry.clientOffset);
    }
    forget(settled);
  }

  function newOffset(): string {
    return clientOffsetFromBytes(crypto.getRandomValues(new Uint8Array(16)));
  }

  /**
   * Queues a message (a reply when `parent` is given; carrying `prepared` files): IndexedDB first (entry, pending
   * message and the files' bytes in one transaction), then the screen, then the wire. A reply to our own queued
   * message names it by clientOffset.
   */
  async function send(content: string, parent?: LocalMessage, prepared?: Prepared): Promise<SendAttempt> {
    const user = sessionStore.session?.user;
    if (!user) return { ok: false, reason: 'Join first.' };
    const clientOffset = newOffset();
    const room = messages.currentRoom;
    const replyTo = parent && { target: targetOf(parent), preview: replyQuote(toRaw(parent)) };
    const parsed = parsePayload(sendSchema, {
      room,
      clientOffset,
      content,
      ...(replyTo ? { replyTo: replyTo.target } : {}),
      // Checked as the server will check it once uploaded (ids stand in: an empty caption is allowed with files).
      ...(prepared ? { attachments: prepared.files.map((_, index) => index.toString(16).padStart(64, '0')) } : {}),
    });
    // Too long is refused here exactly as the server would refuse it: the message shows as
    // failed (Retry / Delete) and the text is kept, rather than silently not sending.
    if (!parsed.ok && parsed.error.code !== 'too_long') return { ok: false, reason: parsed.error.message };
    const now = Date.now();
    const entry: SendEntry = {
      kind: 'send',
      clientOffset,
      // Whoever is signed in when Send is pressed; the entry is only ever sent as them.
      authorId: user.id,
      room,
      content,
      order: nextOrder(entries.value, now),
      createdAt: now,
      ...(replyTo ? { replyTo } : {}),
      ...(prepared ? { files: prepared.files } : {}),
      ...(parsed.ok ? {} : { failed: parsed.error }),
    };
    const message = unsentMessage(entry, user);
    try {
      if (prepared) await (await import('../io/attachment-blobs')).queueWithFiles(entry, message, prepared.blobs);
      else await queueOutgoing(entry, message);
    } catch (error) {
      messages.reportStorageError(error);
      return {
        ok: false,
        reason: `Not queued: this device could not store it. Your ${prepared ? 'files are' : 'text is'} still in the box.`,
      };
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

  /** Edits one of our messages: a queued one is rewritten where it waits; one the server has gets an edit queued. */
  async function edit(message: LocalMessage, content: string): Promise<SendAttempt> {
    const queued = changeQueued(
      entries.value.map((entry) => toRaw(entry)),
      message.clientOffset,
      { kind: 'edit', content },
    );
    if (queued && message.state !== 'sent') return applyQueued(queued);
    return queueChange({ kind: 'edit', content }, message, editSchema);
  }

  /** Takes back one of our messages: a queued one never leaves the device; one the server has gets a delete queued. */
  async function takeBack(message: LocalMessage): Promise<SendAttempt> {
    const queued = changeQueued(
      entries.value.map((entry) => toRaw(entry)),
      message.clientOffset,
      { kind: 'delete' },
    );
    if (queued && message.state !== 'sent') return applyQueued(queued);
    return queueChange({ kind: 'delete' }, message, deleteSchema);
  }

  /** Sets or unsets our reaction on any message (ours still queued included: it goes out after it). */
  function react(message: LocalMessage, emoji: string, on: boolean): Promise<SendAttempt> {
    return queueChange({ kind: 'react', emoji, on }, message, reactionSchema);
  }

  async function applyQueued(queued: ReturnType<typeof changeQueued> & object): Promise<SendAttempt> {
    const user = sessionStore.session?.user;
    if (!user) return { ok: false, reason: 'Join first.' };
    const sends = [...queued.rewrite].filter((entry): entry is SendEntry => entry.kind === 'send');
    const shown = sends.map((entry) => unsentMessage(entry, user));
    const gone = queued.remove.map((entry) => entry.clientOffset);
    const goneKeys = queued.remove.filter((entry) => entry.kind === 'send').map((entry) => messageKey(entry.authorId, entry.clientOffset));
    try {
      await rewriteOutgoing({ put: queued.rewrite, remove: gone }, { put: shown, remove: goneKeys });
    } catch (error) {
      messages.reportStorageError(error);
      return { ok: false, reason: 'This device could not store the change.' };
    }
    tellOtherTabs('outbox-changed');
    const rewritten = new Map(queued.rewrite.map((entry) => [entry.clientOffset, entry]));
    entries.value = entries.value
      .filter((entry) => !gone.includes(entry.clientOffset))
      .map((entry) => rewritten.get(entry.clientOffset) ?? entry);
    for (const message of shown) messages.showLocal(message);
    for (const entry of queued.remove)
      if (entry.kind === 'send') messages.forgetLocal(entry.room, messageKey(entry.authorId, entry.clientOffset));
    return { ok: true };
  }

  type ChangeOf<K extends ChangeEntry['kind']> = K extends 'edit'
    ? { kind: 'edit'; content: string }
    : K extends 'delete'
      ? { kind: 'delete' }
      : { kind: 'react'; emoji: string; on: boolean };

  /** Queues an edit, delete or reaction after everything queued before it (so after its target's send, if that is queued). */
  async function queueChange<K extends ChangeEntry['kind']>(
    change: ChangeOf<K>,
    message: LocalMessage,
    schema: typeof editSchema | typeof deleteSchema | typeof reactionSchema,
  ): Promise<SendAttempt> {
    const user = sessionStore.session?.user;
    if (!user) return { ok: false, reason: 'Join first.' };
    const now = Date.now();
    const entry = {
      ...change,
      clientOffset: newOffset(),
      authorId: user.id,
      room: message.room,
      target: targetOf(message),
      targetKey: message.key,
      order: nextOrder(entries.value, now),
      createdAt: now,
    } as ChangeEntry;
    const parsed = parsePayload(schema, wireOf(entry).payload);
    if (!parsed.ok) return { ok: false, reason: parsed.error.message };
    try {
      await queueOutgoing(entry);
    } catch (error) {
      messages.reportStorageError(error);
      return { ok: false, reason: 'Not queued: this device could not store it.' };
    }
    tellOtherTabs('outbox-changed');
    refusal.value = '';
    entries.value = [...entries.value, entry];
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
    const { failed: _failed, ...again } = toRaw(entry);
    await replace(again as OutboxEntry);
    kick(true);
  }

  /** Deletes a queued message, the signed-in person's or one left by a session that ended, with the changes queued on it. */
  async function remove(clientOffset: string): Promise<void> {
    const entry = entries.value.find((item) => item.clientOffset === clientOffset);
    if (!entry) return;
    const queued = changeQueued(
      entries.value.map((item) => toRaw(item)),
      clientOffset,
      { kind: 'delete' },
    );
    if (queued && isAuthor(entry, sessionStore.session?.user.id ?? '')) {
      await applyQueued(queued);
      forget(queued.remove.map((item) => item.clientOffset));
      return;
    }
    const key = entry.kind === 'send' ? messageKey(entry.authorId, clientOffset) : undefined;
    await deleteOutgoing(clientOffset, key);
    tellOtherTabs('outbox-changed');
    forget([clientOffset]);
    if (key) messages.forgetLocal(entry.room, key);
  }

  /** Cancels a queued send carrying files: its upload stops (and is deleted on the server), the message leaves the outbox. */
  async function cancelSend(clientOffset: string): Promise<void> {
    const entry = entries.value.find((item) => item.clientOffset === clientOffset);
    if (entry?.kind !== 'send') return;
    const { useAttachmentsStore } = await import('./attachments');
    // Marked cancelled at once, so the upload writes nothing more for it while it is removed.
    const stopping = useAttachmentsStore().cancel(toRaw(entry));
    await remove(clientOffset);
    await stopping;
    kick(false);
  }

  /** A send's files are uploaded before it goes (lazily loaded); the entry to send, or what to do instead. */
  async function withFiles(entry: OutboxEntry): Promise<{ kind: 'send'; entry: OutboxEntry } | Exclude<FilesOutcome, { kind: 'ready' }>> {
    if (entry.kind !== 'send' || !entry.files?.some((file) => !file.attachment)) return { kind: 'send', entry };
    const { useAttachmentsStore } = await import('./attachments');
    const uploaded = await useAttachmentsStore().upload(entry, async (files) => {
      const still = entries.value.find((item) => item.clientOffset === entry.clientOffset);
      if (still?.kind === 'send') await replace({ ...toRaw(still), files }).catch((error: unknown) => messages.reportStorageError(error));
    });
    return uploaded.kind === 'ready' ? { kind: 'send', entry: { ...entry, files: uploaded.files } } : uploaded;
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
        const tried = attempts.get(entry.clientOffset) ?? 0;
        const ready = await withFiles(toRaw(entry));
        // Cancelled: the cancel starts the flush again once the entry is gone.
        if (ready.kind === 'gone') return;
        const outcome: SendOutcome =
          ready.kind === 'send'
            ? outcomeOf(await current.send(wireOf(ready.entry)), tried, Math.random())
            : ready.kind === 'retry'
              ? { kind: 'retry', delayMs: backoffMs(tried, Math.random()), suspectSocket: false }
              : ready;
        if (outcome.kind === 'sent') {
          const { settled, gap } = outcome.change
            ? await messages.applyChanges([outcome.change], user.id)
            : await messages.ingest([outcome.message], user.id);
          forget([...settled, entry.clientOffset]);
          // Our change's rev (or our message's seq) is beyond what we hold: someone else's came in between.
          if (gap) current.repair();
        } else if (outcome.kind === 'failed' && entry.kind !== 'send') {
          // A change the server refuses for good (the message was deleted meanwhile, say) is dropped, and said.
          refusal.value = `Not changed: ${outcome.error.message}`;
          await deleteOutgoing(entry.clientOffset).catch((error: unknown) => messages.reportStorageError(error));
          tellOtherTabs('outbox-changed');
          forget([entry.clientOffset]);
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

  return {
    entries,
    unsentCount,
    failedCount,
    signedOut,
    queuedChanges,
    refusal,
    load,
    showQueued,
    send,
    edit,
    takeBack,
    react,
    forget,
    retry,
    remove,
    cancelSend,
    setTransport,
    stop,
    clear,
  };
});
