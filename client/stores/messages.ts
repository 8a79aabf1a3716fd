/** Every room's timeline and cursor, loaded from IndexedDB and fed by the server, never shown twice. */
import { defineStore } from 'pinia';
import { computed, ref, shallowReactive } from 'vue';
import { GENERAL_ROOM } from '../../shared/limits';
import type { Cursors, Message, MessageChange, RoomId } from '../../shared/protocol';
import { acceptChanges, applyChange, applyToReply, revCursorsOf, settleRevs, type RevProgress } from '../logic/change-logic';
import { advanceCursor, applySeqs, cursorsOf, heldAbove, type RoomProgress } from '../logic/cursor-logic';
import { fetchMessagesAround } from '../io/api';
import { deleteMessages, isQuotaError, storeChanges, storeServerMessages, type ChatRecords } from '../io/db';
import type { LocalMessage } from '../logic/models';
import { cursorUnderWindow } from '../logic/seq-ranges';
import { evictionsFor, roomMessageLimit } from '../logic/storage-bound';
import { compareTimeline, mergeServerMessages, removeByKey, upsertLocal } from '../logic/timeline-logic';

export type IngestResult = { settled: string[]; gap: boolean };

/** How many sent messages per room the device keeps (older ones are evicted at start and after each catch-up). */
export const ROOM_MESSAGE_LIMIT = roomMessageLimit(import.meta.env.VITE_ROOM_MESSAGE_LIMIT);

export const useMessagesStore = defineStore('messages', () => {
  /** The room on screen; rooms navigation will switch it. */
  const currentRoom = ref<RoomId>(GENERAL_ROOM);
  const timelines = shallowReactive(new Map<RoomId, LocalMessage[]>());
  const storageError = ref('');
  const timeline = computed(() => timelines.get(currentRoom.value) ?? []);
  // Not reactive: only the sync logic reads it.
  let progress = new Map<RoomId, RoomProgress>();
  /** Each room's change cursor (edits, deletes, reactions), with changes held beyond a gap. */
  let revProgress = new Map<RoomId, RevProgress>();
  let queue: Promise<unknown> = Promise.resolve();
  /** Bumped when a session ends: work queued for the old one is dropped, so nothing of it is written after the wipe. */
  let generation = 0;

  /** Incoming work runs one batch at a time so cursors and timelines change in arrival order. */
  function serial<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run;
  }

  function whenIdle(): Promise<void> {
    return serial(async () => undefined);
  }

  async function load(records: Promise<ChatRecords>): Promise<void> {
    const { messages: stored, cursors, revs } = await records;
    revProgress = new Map(Object.entries(revs).map(([room, rev]) => [room, { rev, held: new Map() }]));
    const byRoom = new Map<RoomId, LocalMessage[]>();
    timelines.clear();
    for (const message of stored) {
      // Pushed, not copied: a device holding 50,000 messages loads in linear time.
      const list = byRoom.get(message.room);
      if (list) list.push(message);
      else byRoom.set(message.room, [message]);
    }
    const rooms = new Map<RoomId, RoomProgress>();
    for (const [room, cursor] of Object.entries(cursors)) rooms.set(room, { cursor, held: new Set() });
    for (const [room, list] of byRoom) {
      timelines.set(room, list.sort(compareTimeline));
      const seqs = list.flatMap((message) => (message.seq === undefined ? [] : [message.seq]));
      // Messages stored without moving the cursor (background flush) count once they close the run.
      const cursor = advanceCursor(cursors[room] ?? 0, new Set(seqs));
      rooms.set(room, { cursor, held: heldAbove(cursor, seqs) });
    }
    progress = rooms;
    await evictOld();
  }

  /**
   * `sync:done` (or a `sync` ack) says these rooms were sent only their newest messages, from
   * `windows[room]`: what lies below is older history for "load older", not a gap for `sync`.
   */
  function applyWindows(windows: Record<RoomId, number> | undefined): Promise<void> {
    const asked = generation;
    return serial(async () => {
      if (!windows || asked !== generation) return;
      const next = new Map(progress);
      const changed: Cursors = {};
      for (const [room, firstSeqSent] of Object.entries(windows)) {
        const current = next.get(room) ?? { cursor: 0, held: new Set<number>() };
        const cursor = advanceCursor(cursorUnderWindow(current.cursor, firstSeqSent), current.held);
        if (cursor === current.cursor) continue;
        next.set(room, { cursor, held: heldAbove(cursor, current.held) });
        changed[room] = cursor;
      }
      if (Object.keys(changed).length === 0) return;
      try {
        await storeServerMessages([], changed, []);
        if (asked === generation) progress = next;
      } catch (error) {
        reportStorageError(error);
      }
    });
  }

  /**
   * Keeps each room within ROOM_MESSAGE_LIMIT sent messages on the device, dropping the oldest (never
   * pending or failed ones). `spare` (the room on screen) is left alone: its reader may be up there.
   */
  function evictOld(spare?: RoomId): Promise<void> {
    const asked = generation;
    return serial(async () => {
      const evicted = new Map<RoomId, Set<string>>();
      for (const [room, list] of timelines) {
        const keys = room === spare ? [] : evictionsFor(list, ROOM_MESSAGE_LIMIT);
        if (keys.length > 0) evicted.set(room, new Set(keys));
      }
      if (evicted.size === 0 || asked !== generation) return;
      try {
        await deleteMessages([...evicted.values()].flatMap((keys) => [...keys]));
      } catch (error) {
        reportStorageError(error);
        return;
      }
      if (asked !== generation) return;
      for (const [room, keys] of evicted)
        timelines.set(
          room,
          (timelines.get(room) ?? []).filter((message) => !keys.has(message.key)),
        );
      // The files seen in those rooms are bounded with their messages.
      void import('./attachments').then(({ useAttachmentsStore }) =>
        useAttachmentsStore().prune(new Map([...evicted.keys()].map((room) => [room, timelineOf(room)]))),
      );
    });
  }

  function cursors(): Cursors {
    return cursorsOf(progress);
  }

  function hasGap(): boolean {
    return [...progress.values()].some((room) => room.held.size > 0) || revGap;
  }

  /** Change cursors for the handshake and `sync`: the server sends every change after them. */
  function revs(): Cursors {
    return revCursorsOf(revProgress);
  }

  /** A change beyond a rev gap is held (or a catch-up ended behind the server): `sync` must bring what is missing. */
  let revGap = false;

  /**
   * Applies edits, deletes and reactions (live, catch-up or the ack of our own) exactly once each, in rev order
   * per room, to the stored messages and the replies quoting them; returns our clientOffsets now settled.
   */
  function applyChanges(changes: readonly MessageChange[], ownUserId: string): Promise<IngestResult> {
    const asked = generation;
    return serial(async () => {
      if (asked !== generation) return { settled: [], gap: false };
      const accepted = acceptChanges(revProgress, changes);
      const changed = new Map<string, LocalMessage>();
      const lists = new Map<RoomId, LocalMessage[]>();
      for (const change of accepted.ready) {
        const list = lists.get(change.room) ?? [...(timelines.get(change.room) ?? [])];
        lists.set(change.room, list);
        list.forEach((message, index) => {
          let next = message;
          if (message.id === change.target) next = applyChange(message, change);
          if (message.replyTo?.id === change.target) next = { ...next, replyTo: applyToReply(message.replyTo, change) };
          if (next === message) return;
          list[index] = next;
          changed.set(next.key, next);
        });
      }
      const settled = changes.filter((change) => change.by.id === ownUserId).map((change) => change.clientOffset);
      try {
        await storeChanges([...changed.values()], accepted.changed, settled);
        if (asked === generation) {
          revProgress = accepted.revs;
          revGap = accepted.gap;
        }
      } catch (error) {
        // Shown anyway; the rev cursor stays put so the next connect brings them again.
        reportStorageError(error);
      }
      if (asked !== generation) return { settled: [], gap: false };
      for (const [room, list] of lists) timelines.set(room, list);
      return { settled, gap: accepted.gap };
    });
  }

  /** A catch-up ended (`sync:done` or a `sync` ack): rooms new to the device start at the server's last rev; true when one is behind. */
  function settleChanges(lastRev: Readonly<Record<RoomId, number>>): Promise<boolean> {
    const asked = generation;
    return serial(async () => {
      if (asked !== generation) return false;
      const settled = settleRevs(revProgress, lastRev);
      try {
        await storeChanges([], settled.changed, []);
        if (asked === generation) {
          revProgress = settled.revs;
          revGap = settled.gap;
        }
      } catch (error) {
        reportStorageError(error);
      }
      return settled.gap;
    });
  }

  /** Stores server messages (catch-up, live, or our own acked ones); returns our clientOffsets that are now settled. */
  function ingest(messages: readonly Message[], ownUserId: string): Promise<IngestResult> {
    const asked = generation;
    return serial(async () => {
      if (asked !== generation) return { settled: [], gap: false };
      const rooms = new Set(messages.map((message) => message.room));
      const merged = new Map<RoomId, LocalMessage[]>();
      const changed: LocalMessage[] = [];
      for (const room of rooms) {
        const merge = mergeServerMessages(
          timelines.get(room) ?? [],
          messages.filter((message) => message.room === room),
        );
        merged.set(room, merge.timeline);
        changed.push(...merge.changed);
      }
      const seqs = changed.flatMap((message) => (message.seq === undefined ? [] : [{ room: message.room, seq: message.seq }]));
      const next = applySeqs(progress, seqs);
      const settled = messages.filter((message) => message.author.id === ownUserId).map((message) => message.clientOffset);
      try {
        await storeServerMessages(changed, next.changed, settled);
        if (asked === generation) progress = next.rooms;
      } catch (error) {
        // Shown anyway; the cursor stays put so the next connect fetches them again.
        reportStorageError(error);
      }
      if (asked !== generation) return { settled: [], gap: false };
      for (const [room, list] of merged) timelines.set(room, list);
      return { settled, gap: next.gap };
    });
  }

  /**
   * The session ended: forget every timeline and cursor in memory and drop queued work; resolves once
   * the writes already under way are done, so a wipe of the device comes after them.
   */
  function reset(): Promise<void> {
    generation++;
    timelines.clear();
    progress = new Map();
    revProgress = new Map();
    revGap = false;
    currentRoom.value = GENERAL_ROOM;
    storageError.value = '';
    return whenIdle();
  }

  function reportStorageError(error: unknown): void {
    console.error('IndexedDB write failed', error);
    storageError.value = isQuotaError(error)
      ? 'This device is out of storage space for the chat. Free some space; your unsent messages are safe and new ones cannot be queued until then.'
      : 'The chat could not save to this device’s storage. Unsent messages already queued are kept.';
  }

  /** A page of history around `seq` from the server (a reply's parent older than what the device holds), kept like any other. */
  async function loadAround(token: string, room: RoomId, seq: number, ownUserId: string): Promise<void> {
    const page = await fetchMessagesAround(token, room, seq);
    await ingest(page, ownUserId);
  }

  function timelineOf(room: RoomId): readonly LocalMessage[] {
    return timelines.get(room) ?? [];
  }

  /** Every room's timeline as held now (the search index keeps in step with these). */
  function allTimelines(): Array<readonly [RoomId, readonly LocalMessage[]]> {
    return [...timelines];
  }

  function showLocal(message: LocalMessage): void {
    timelines.set(message.room, upsertLocal(timelines.get(message.room) ?? [], message));
  }

  function forgetLocal(room: RoomId, key: string): void {
    timelines.set(room, removeByKey(timelines.get(room) ?? [], key));
  }

  /** Shows an unsent record unless the server's copy is already here (never downgrade sent to pending). */
  function showUnsent(message: LocalMessage): boolean {
    const existing = timelines.get(message.room)?.find((item) => item.key === message.key);
    if (existing?.state === 'sent') return false;
    showLocal(message);
    return true;
  }

  /** Drops a record only while it is unsent: once the server has it, it stays. */
  function forgetUnsent(room: RoomId, key: string): void {
    const record = timelines.get(room)?.find((message) => message.key === key);
    if (record && record.state !== 'sent') forgetLocal(room, key);
  }

  return {
    currentRoom,
    timeline,
    timelineOf,
    allTimelines,
    storageError,
    load,
    applyWindows,
    evictOld,
    cursors,
    revs,
    hasGap,
    ingest,
    applyChanges,
    settleChanges,
    whenIdle,
    showLocal,
    showUnsent,
    forgetLocal,
    forgetUnsent,
    reportStorageError,
    loadAround,
    reset,
  };
});
