/**
 * Search on the device, decided purely: which words a text holds (the same letters-and-digits
 * words as the server's `shared/search-terms.ts`, folded to lower case without accents, as SQLite's
 * index folds them), the highlighted parts of a result, and how local and server results meet.
 */
import { SNIPPET_MARK_END, SNIPPET_MARK_START, searchTerms } from '../../shared/search-terms';
import type { RoomId } from '../../shared/protocol';

const WORD = /[\p{L}\p{N}]+/gu;

/** One piece of a result's text: `mark` pieces are the matched words, rendered as <mark> elements (never as HTML). */
export type TextPart = { text: string; mark: boolean };

/** Lower case, accents dropped: "Café" and "cafe" are one word. */
export function foldWord(word: string): string {
  return word
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** The words of a message, as the index stores them. */
export function textWords(text: string): string[] {
  return (text.normalize('NFC').match(WORD) ?? []).map(foldWord);
}

/** The words a query looks for (every one must match), folded like the index. */
export function queryWords(query: string): string[] {
  return [...new Set(searchTerms(query).map(foldWord))];
}

/** `text` cut into parts, the words in `matched` (folded) marked. */
export function highlightParts(text: string, matched: ReadonlySet<string>): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const found of text.matchAll(WORD)) {
    if (!matched.has(foldWord(found[0]))) continue;
    if (found.index > last) parts.push({ text: text.slice(last, found.index), mark: false });
    parts.push({ text: found[0], mark: true });
    last = found.index + found[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), mark: false });
  return parts;
}

/** A short extract of a long message around its first matched word, highlighted; the whole text when short. */
export function excerptParts(text: string, matched: ReadonlySet<string>, maxChars = 160): TextPart[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= maxChars) return highlightParts(flat, matched);
  let first = 0;
  for (const found of flat.matchAll(WORD)) {
    if (matched.has(foldWord(found[0]))) {
      first = found.index;
      break;
    }
  }
  const start = first < maxChars / 3 ? 0 : flat.lastIndexOf(' ', first - maxChars / 4) + 1;
  const end = Math.min(flat.length, start + maxChars);
  const parts = highlightParts(flat.slice(start, end), matched);
  if (start > 0) parts.unshift({ text: '…', mark: false });
  if (end < flat.length) parts.push({ text: '…', mark: false });
  return parts;
}

/** The server's snippet, whose matched words sit between U+E000 and U+E001, as parts. */
export function snippetParts(snippet: string): TextPart[] {
  const parts: TextPart[] = [];
  let mark = false;
  let rest = snippet;
  while (rest.length > 0) {
    const at = rest.indexOf(mark ? SNIPPET_MARK_END : SNIPPET_MARK_START);
    const text = at === -1 ? rest : rest.slice(0, at);
    if (text) parts.push({ text, mark });
    if (at === -1) break;
    rest = rest.slice(at + 1);
    mark = !mark;
  }
  return parts;
}

/** Where a message sits: results from the device and from the server meet on this. */
export function placeKey(message: { room: RoomId; seq: number }): string {
  return `${message.room}#${message.seq}`;
}

/** The server's results the device did not find itself (those it did are already shown), in the server's order. */
export function onlyNew<T extends { message: { room: RoomId; seq: number } }>(server: readonly T[], shown: ReadonlySet<string>): T[] {
  return server.filter((result) => !shown.has(placeKey(result.message)));
}

/** Results grouped by room, rooms in the order of their best result, results in order within each. */
export function groupByRoom<T extends { message: { room: RoomId } }>(results: readonly T[]): Array<{ room: RoomId; results: T[] }> {
  const groups = new Map<RoomId, T[]>();
  for (const result of results) {
    const group = groups.get(result.message.room);
    if (group) group.push(result);
    else groups.set(result.message.room, [result]);
  }
  return [...groups].map(([room, grouped]) => ({ room, results: grouped }));
}
