/**
 * Mentions in the PWA (#16), read the way the server reads them (shared/push.ts): `@handle`, or
 * `@Display Name` for someone without a handle. The composer's autocomplete (what is being typed
 * after an `@`, who fits, what goes in), the highlighted parts of a message, and the count per room.
 */
import { MAX_HANDLE_CHARS, MIN_HANDLE_CHARS } from '../../shared/limits';
import type { User } from '../../shared/protocol';
import { mentionedHandles, namesPerson } from '../../shared/push';
import type { LocalMessage } from './models';

/** Longest text typed after an `@` that still counts as looking for someone (a long display name). */
const MAX_QUERY_CHARS = 32;
/** What may not stand right before a mention's `@` (so an e-mail address is none), as on the server. */
const BEFORE_MENTION = /[A-Za-z0-9_@]/;
const AFTER_NAME = /[\p{L}\p{N}_]/u;
const HANDLE_AT = new RegExp(`@([A-Za-z0-9_]{${MIN_HANDLE_CHARS},${MAX_HANDLE_CHARS}})(?![A-Za-z0-9_])`, 'y');

/** How a person is mentioned: their handle, else their whole display name. */
export function mentionToken(person: Pick<User, 'name' | 'handle'>): string {
  return person.handle ? `@${person.handle}` : `@${person.name}`;
}

/** Does `content` mention `me`? The server's own rule (a handle wins over the name once claimed). */
export function mentionsUser(content: string, me: Pick<User, 'name' | 'handle'>): boolean {
  return me.handle ? mentionedHandles(content).has(me.handle.toLowerCase()) : namesPerson(content, me.name);
}

export type MentionQuery = { start: number; query: string };

/** The `@…` being typed just before the caret, if any: where its `@` is and what follows it. */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const from = Math.max(0, caret - MAX_QUERY_CHARS - 1);
  const start = text.lastIndexOf('@', caret - 1);
  if (start < from || start === -1) return null;
  if (start > 0 && BEFORE_MENTION.test(text.charAt(start - 1))) return null;
  const query = text.slice(start + 1, caret);
  if (/[\n@]/.test(query) || query.startsWith(' ') || query.includes('  ')) return null;
  return { start, query };
}

/** People fitting what was typed: handle or name starting with it first, then a later word of the name. */
export function suggestPeople(query: string, people: readonly User[], ownId: string, limit = 6): User[] {
  const wanted = query.toLowerCase();
  const ranked: Array<{ person: User; rank: number }> = [];
  const seen = new Set<string>([ownId]);
  for (const person of people) {
    if (seen.has(person.id)) continue;
    const name = person.name.toLowerCase();
    const rank =
      person.handle?.toLowerCase().startsWith(wanted) || name.startsWith(wanted)
        ? 0
        : name.split(/\s+/).some((word) => word.startsWith(wanted))
          ? 1
          : -1;
    if (rank < 0) continue;
    seen.add(person.id);
    ranked.push({ person, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.person.name.localeCompare(b.person.name));
  return ranked.slice(0, limit).map((entry) => entry.person);
}

/** The text with the typed `@…` replaced by the person's mention and a space, and where the caret goes. */
export function insertMention(text: string, query: MentionQuery, caret: number, person: User): { text: string; caret: number } {
  const token = `${mentionToken(person)} `;
  const after = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, query.start) + token + after, caret: query.start + token.length };
}

export type MessagePart = { text: string; mention?: 'me' | 'other' };

/**
 * A message cut into plain text and mentions: `@handle`s, and `@Display Name`s of the people
 * known here without a handle (the longest name first, so "@Ana Lopez" beats "@Ana").
 */
export function mentionParts(content: string, me: User, people: readonly User[]): MessagePart[] {
  const names = people
    .filter((person) => !person.handle)
    .sort((a, b) => b.name.length - a.name.length)
    .map((person) => ({ lower: person.name.toLowerCase(), mine: person.id === me.id }));
  const ownHandle = me.handle?.toLowerCase();
  const parts: MessagePart[] = [];
  let plainFrom = 0;
  const push = (end: number, length: number, mine: boolean) => {
    if (end > plainFrom) parts.push({ text: content.slice(plainFrom, end) });
    parts.push({ text: content.slice(end, end + length), mention: mine ? 'me' : 'other' });
    plainFrom = end + length;
  };
  for (let at = content.indexOf('@'); at !== -1; at = content.indexOf('@', Math.max(at + 1, plainFrom))) {
    if (at > 0 && BEFORE_MENTION.test(content.charAt(at - 1))) continue;
    const rest = content.slice(at + 1).toLowerCase();
    const named = names.find(({ lower }) => rest.startsWith(lower) && !AFTER_NAME.test(rest.charAt(lower.length)));
    if (named) {
      push(at, named.lower.length + 1, named.mine);
      continue;
    }
    HANDLE_AT.lastIndex = at;
    const handle = HANDLE_AT.exec(content);
    if (handle) push(at, handle[0].length, handle[1].toLowerCase() === ownHandle);
  }
  if (plainFrom < content.length || parts.length === 0) parts.push({ text: content.slice(plainFrom) });
  return parts;
}

/**
 * Unread messages of others that mention `me`: the rooms list's second count. The timeline is in
 * `compareTimeline` order (sent by seq, then unsent), so it is read from the newest back to the read
 * cursor: a long, long-read history costs nothing each time the list redraws.
 */
export function unreadMentions(timeline: readonly LocalMessage[], readSeq: number, me: User): number {
  let count = 0;
  for (let index = timeline.length - 1; index >= 0; index--) {
    const message = timeline[index];
    if (message.seq === undefined) continue;
    if (message.seq <= readSeq) break;
    if (message.author.id !== me.id && !message.deleted && mentionsUser(message.content, me)) count++;
  }
  return count;
}
