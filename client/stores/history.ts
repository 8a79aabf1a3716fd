/**
 * Older history on demand: "load older" when the reader reaches the top of what the device holds
 * (`GET /api/rooms/:room/messages?before=`), and a jump to one message with its context (`?around=`),
 * which highlights it. Pages are stored like any server message (messages.ingest), so they read offline
 * afterwards. Without a connection the reader is told that older messages need one.
 */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { RoomId } from '../../shared/protocol';
import { fetchHistory } from '../io/api';
import { heldRanges, holesIn, olderStep, type OlderStep, type SeqRange } from '../logic/seq-ranges';
import { useConnectionStore } from './connection';
import { useMessagesStore } from './messages';
import { useRoomsStore } from './rooms';
import { useSessionStore } from './session';

/** Messages per "load older" page. */
export const OLDER_PAGE = 50;
/** A jump fetches this many messages around its target. */
const AROUND_PAGE = 50;

export const NEEDS_CONNECTION = 'Older messages need a connection.';

/** A message to bring into view and highlight (a search result); `nonce` tells two jumps to the same one apart. */
export type Focus = { room: RoomId; seq: number; nonce: number };

export const useHistoryStore = defineStore('history', () => {
  const messages = useMessagesStore();
  const connection = useConnectionStore();
  const session = useSessionStore();
  const rooms = useRoomsStore();
  /** The room whose older page is being fetched (one at a time). */
  const loading = ref<RoomId>();
  /** Why the last attempt in a room got nothing: no connection, or the server's refusal. */
  const problem = ref<{ room: RoomId; text: string }>();
  const focus = ref<Focus>();
  let nonce = 0;

  // Back online: "older messages need a connection" no longer holds; scrolling up tries again.
  watch(
    () => connection.phase,
    (phase) => {
      if (phase === 'online' && problem.value?.text === NEEDS_CONNECTION) problem.value = undefined;
    },
  );

  function heldSeqs(room: RoomId): Set<number> {
    return new Set(messages.timelineOf(room).flatMap((message) => (message.seq === undefined ? [] : [message.seq])));
  }

  /** The seq ranges the device holds of `room`, and its holes (below them and between). */
  function ranges(room: RoomId): { held: SeqRange[]; holes: SeqRange[] } {
    const held = heldRanges(heldSeqs(room));
    return { held, holes: holesIn(held) };
  }

  /** What scrolling up past `topSeq` needs: more of what is stored, a page from the server, or nothing (the start). */
  function stepBefore(room: RoomId, topSeq: number): OlderStep {
    return olderStep(heldSeqs(room), topSeq);
  }

  /**
   * Fetches and stores the page just before `beforeSeq`; answers how many messages it added (0 when
   * it could not: `problem` says why, or another page is already on its way).
   */
  async function loadOlder(room: RoomId, beforeSeq: number): Promise<number> {
    if (loading.value) return 0;
    loading.value = room;
    problem.value = undefined;
    try {
      return await fetchInto(room, { before: beforeSeq, limit: OLDER_PAGE });
    } catch (error) {
      problem.value = { room, text: failure(error) };
      return 0;
    } finally {
      loading.value = undefined;
    }
  }

  /** Opens `room` at message `seq`, fetching its context first when the device does not hold it. */
  async function jumpTo(room: RoomId, seq: number): Promise<void> {
    // Set first: the timeline opening the room shows this message, not its bottom, once it is held.
    focus.value = { room, seq, nonce: ++nonce };
    rooms.select(room);
    problem.value = undefined;
    if (!heldSeqs(room).has(seq)) {
      loading.value = room;
      try {
        await fetchInto(room, { around: seq, limit: AROUND_PAGE });
      } catch (error) {
        problem.value = { room, text: failure(error) };
        return;
      } finally {
        loading.value = undefined;
      }
    }
  }

  async function fetchInto(room: RoomId, page: { before: number; limit: number } | { around: number; limit: number }): Promise<number> {
    const token = session.session?.token;
    if (!token || !navigator.onLine || connection.phase === 'offline') throw new Error('offline');
    const before = messages.timelineOf(room).length;
    await messages.ingest(await fetchHistory(token, room, page), session.session?.user.id ?? '');
    return messages.timelineOf(room).length - before;
  }

  function failure(error: unknown): string {
    if (
      !navigator.onLine ||
      connection.phase === 'offline' ||
      error instanceof TypeError ||
      (error instanceof Error && error.message === 'offline')
    )
      return NEEDS_CONNECTION;
    return 'Older messages could not be loaded. Try again.';
  }

  return { loading, problem, focus, ranges, stepBefore, loadOlder, jumpTo };
});
