/** Who is typing in each room (expired client-side too), and our own typing signal, throttled. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { RoomId, User } from '../../shared/protocol';
import type { Phrase } from '../logic/phrase';
import { activeTypists, applyTyping, typingDecision, typingPhrase, type Typist, type TypingEmitState } from '../logic/typing-logic';
import { liveSocket } from '../realtime/live-socket';

const TICK_MS = 1_000;

export const useTypingStore = defineStore('typing', () => {
  const byRoom = ref<Record<RoomId, Typist[]>>({});
  /** Advanced by a timer while anyone is typing, so stale entries fall out of the sentence. */
  const now = ref(Date.now());
  let ticker: ReturnType<typeof setInterval> | undefined;
  let mine: TypingEmitState = { room: undefined, lastTrueAt: 0 };

  function tick(): void {
    now.value = Date.now();
    const fresh = Object.fromEntries(
      Object.entries(byRoom.value)
        .map(([room, typists]) => [room, activeTypists(typists, now.value)] as const)
        .filter(([, typists]) => typists.length > 0),
    );
    byRoom.value = fresh;
    if (Object.keys(fresh).length === 0 && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }

  function received(room: RoomId, user: User, typing: boolean): void {
    now.value = Date.now();
    byRoom.value = { ...byRoom.value, [room]: applyTyping(byRoom.value[room] ?? [], user, typing, now.value) };
    ticker ??= setInterval(tick, TICK_MS);
  }

  /** Their message arrived: they are done typing it. */
  function sent(room: RoomId, userId: string): void {
    const typists = byRoom.value[room];
    if (typists?.some((typist) => typist.user.id === userId)) {
      byRoom.value = { ...byRoom.value, [room]: typists.filter((typist) => typist.user.id !== userId) };
    }
  }

  /** The connection dropped: nobody's typing can be trusted any more. */
  function clear(): void {
    byRoom.value = {};
    mine = { room: undefined, lastTrueAt: 0 };
  }

  function phraseFor(room: RoomId): Phrase {
    return typingPhrase(activeTypists(byRoom.value[room] ?? [], now.value).map((typist) => typist.user.name));
  }

  /** The compose text of `room` changed: say we type (throttled) or that we stopped (empty). */
  function composing(room: RoomId, text: string): void {
    const decision = typingDecision(mine, room, text, Date.now());
    if (decision.emit === 'none') return;
    if (decision.emit === 'stop') return stopped(room);
    const chat = liveSocket();
    if (!chat) return;
    // Switching rooms mid-sentence: end the old one first.
    if (mine.room && mine.room !== room) chat.emit('typing', { room: mine.room, typing: false });
    chat.emit('typing', { room, typing: true });
    mine = { room, lastTrueAt: Date.now() };
  }

  /** Sent, blurred, emptied or left the room: end our indicator there. */
  function stopped(room: RoomId): void {
    if (mine.room !== room) return;
    liveSocket()?.emit('typing', { room, typing: false });
    mine = { room: undefined, lastTrueAt: 0 };
  }

  return { byRoom, received, sent, clear, phraseFor, composing, stopped };
});
