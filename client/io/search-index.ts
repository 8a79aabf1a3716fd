/**
 * The device's full-text index of the messages it holds (MiniSearch, in memory), kept in step with the
 * timelines incrementally: a room whose timeline did not change since the last look costs nothing, and
 * a changed one only adds, replaces or drops what differs. Loaded on the first search (import()), so
 * MiniSearch stays out of the app shell.
 */
import MiniSearch from 'minisearch';
import type { RoomId } from '../../shared/protocol';
import type { LocalMessage } from '../logic/models';
import { queryWords, textWords } from '../logic/search-logic';

/**
 * A shorter last word is matched whole: one or two letters begin thousands of words, and scoring every
 * message holding one of them is what made typing the first letters slow.
 */
export const MIN_PREFIX = 3;

type IndexedMessage = { id: string; room: RoomId; ts: number; content: string };

/** A message that matched (its key and room), with the words of it that matched (folded), for highlighting. */
export type IndexHit = { key: string; room: RoomId; ts: number; terms: string[]; score: number };

/** Sent messages with text: the ones a result can open the room at (by seq). */
function searchable(message: LocalMessage): boolean {
  return message.state === 'sent' && message.seq !== undefined && message.content.length > 0;
}

export class MessageIndex {
  private readonly index = new MiniSearch<IndexedMessage>({
    fields: ['content'],
    storeFields: ['room', 'ts'],
    // Words are split and folded the way the server's search reads them (logic/search-logic.ts).
    tokenize: textWords,
    processTerm: (term) => term,
  });
  /** Per room: the timeline last indexed (by identity: the stores replace arrays, never mutate them) and each key's indexed text. */
  private readonly seen = new Map<RoomId, { timeline: readonly LocalMessage[]; contents: Map<string, string> }>();

  get size(): number {
    return this.index.documentCount;
  }

  /** Brings the index up to date with what the device holds now. */
  sync(timelines: Iterable<readonly [RoomId, readonly LocalMessage[]]>): void {
    const rooms = new Set<RoomId>();
    for (const [room, timeline] of timelines) {
      rooms.add(room);
      const known = this.seen.get(room);
      if (known?.timeline === timeline) continue;
      const contents = known?.contents ?? new Map<string, string>();
      const current = new Set<string>();
      for (const message of timeline) {
        if (!searchable(message)) continue;
        current.add(message.key);
        const indexed = contents.get(message.key);
        if (indexed === message.content) continue;
        const document = { id: message.key, room, ts: message.ts, content: message.content };
        if (indexed === undefined) this.index.add(document);
        else this.index.replace(document);
        contents.set(message.key, message.content);
      }
      this.drop(contents, (key) => !current.has(key));
      this.seen.set(room, { timeline, contents });
    }
    // A room the device no longer holds (left, or a session ended) leaves the index too.
    for (const [room, { contents }] of this.seen) {
      if (rooms.has(room)) continue;
      this.drop(contents, () => true);
      this.seen.delete(room);
    }
  }

  /**
   * Messages holding every word of `query` (the last one, from MIN_PREFIX letters, also as a prefix: it
   * may still be being typed), best first, newest first among equals. MiniSearch answers sorted by score,
   * so only the first `limit` (and any tied with the last of them) are turned into hits.
   */
  search(query: string, limit = 50): IndexHit[] {
    const words = queryWords(query);
    if (words.length === 0) return [];
    const found = this.index.search(words.join(' '), {
      combineWith: 'AND',
      prefix: (term, index, terms) => index === terms.length - 1 && term.length >= MIN_PREFIX,
    });
    let end = Math.min(limit, found.length);
    const floor = found[end - 1]?.score;
    while (end < found.length && found[end]?.score === floor) end++;
    return found
      .slice(0, end)
      .map((hit) => ({ key: String(hit.id), room: String(hit.room), ts: Number(hit.ts), terms: hit.terms, score: hit.score }))
      .sort((a, b) => b.score - a.score || b.ts - a.ts)
      .slice(0, limit);
  }

  private drop(contents: Map<string, string>, gone: (key: string) => boolean): void {
    const keys = [...contents.keys()].filter(gone);
    if (keys.length === 0) return;
    this.index.discardAll(keys);
    for (const key of keys) contents.delete(key);
  }
}
