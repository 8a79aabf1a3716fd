/** Pure rules of "who is typing": the sentence under the timeline, client-side expiry and the emit throttle. */
import type { User } from '../../shared/protocol';
import { person, type Phrase } from './phrase';

/** Someone stays "typing" this long without news (the server ends it after 6 s; this covers a lost `false`). */
export const TYPING_STALE_MS = 8_000;
/** We tell the server we are typing at most this often while the text keeps changing. */
export const TYPING_EMIT_EVERY_MS = 2_000;

export type Typist = { user: User; until: number };

/** "Ana is typing…", "Ana and Bob are typing…", "Ana, Bob and 2 others are typing…"; each name a part of its own. */
export function typingPhrase(names: readonly string[]): Phrase {
  const [first, second, third] = names.map(person);
  if (names.length === 0) return [];
  if (names.length === 1) return [first, { text: ' is typing…' }];
  if (names.length === 2) return [first, { text: ' and ' }, second, { text: ' are typing…' }];
  if (names.length === 3) return [first, { text: ', ' }, second, { text: ' and ' }, third, { text: ' are typing…' }];
  return [first, { text: ', ' }, second, { text: ` and ${names.length - 2} others are typing…` }];
}

/** Typists still fresh at `now`, in the order they started. */
export function activeTypists(typists: readonly Typist[], now: number): Typist[] {
  return typists.filter((typist) => typist.until > now);
}

/** Applies one `typing` event to a room's typists. */
export function applyTyping(typists: readonly Typist[], user: User, typing: boolean, now: number): Typist[] {
  const rest = typists.filter((typist) => typist.user.id !== user.id);
  if (!typing) return rest;
  const existing = typists.findIndex((typist) => typist.user.id === user.id);
  const next = { user, until: now + TYPING_STALE_MS };
  if (existing === -1) return [...rest, next];
  // Keep their place in the sentence while they keep typing.
  const kept = [...typists];
  kept[existing] = next;
  return kept;
}

export type TypingEmitState = { room: string | undefined; lastTrueAt: number };

export type TypingDecision = { emit: 'none' } | { emit: 'start' | 'stop'; room: string };

/** Decides what to tell the server as the compose text changes: `true` at most every 2 s, `false` once when it empties. */
export function typingDecision(state: TypingEmitState, room: string, text: string, now: number): TypingDecision {
  const composing = text.trim().length > 0;
  if (!composing) return state.room === room ? { emit: 'stop', room } : { emit: 'none' };
  if (state.room === room && now - state.lastTrueAt < TYPING_EMIT_EVERY_MS) return { emit: 'none' };
  return { emit: 'start', room };
}
