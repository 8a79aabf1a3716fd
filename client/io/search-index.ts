/**
 * The device's full-text index of the messages it holds (MiniSearch, in memory), kept in step with the
 * timelines incrementally: a room whose timeline did not change since the last look costs nothing, and
 * a changed one only adds, replaces or drops what differs. It lives in the search worker
 * (io/search-worker.ts), so building it over tens of thousands of messages never freezes the screen.
 */
import MiniSearch from 'minisearch';
import type { RoomId } from '../../shared/protocol';
import type { LocalMessage } from '../logic/models';
import { IndexFeed, type IndexChanges } from '../logic/search-feed';
import { Vocabulary } from '../logic/search-vocabulary';
import { queryWords, textWords } from '../logic/search-logic';

/**
 * A shorter last word is matched whole: one or two letters begin thousands of words, and scoring every
 * message holding one of them is what made typing the first letters slow.
 */
export const MIN_PREFIX = 3;

type IndexedMessage = { id: string; room: RoomId; ts: number; content: string };

/** A message that matched (its key and room), with the words of it that matched (folded), for highlighting. */
export type IndexHit = { key: string; room: RoomId; ts: number; terms: string[]; score: number };

/** To the search worker: what changed since the last request, then the query to answer. */
export type SearchRequest = { id: number; changes: IndexChanges; query: string; limit?: number };
/** From the search worker: the answer to request `id`. */
export type SearchAnswer = { id: number; hits: IndexHit[] };

export class MessageIndex {
  private readonly index = new MiniSearch<IndexedMessage>({
    fields: ['content'],
    storeFields: ['room', 'ts'],
    // Words are split and folded the way the server's search reads them (logic/search-logic.ts).
    tokenize: textWords,
    processTerm: (term) => term,
  });
  /** Per room: each key's indexed text, so a changed room only adds, replaces or drops what differs. */
  private readonly contents = new Map<RoomId, Map<string, string>>();
  /** Used by `sync`, when the index lives on the thread that holds the timelines. */
  private readonly feed = new IndexFeed();
  /** The indexed words, for completing the last word of a query. */
  private readonly vocabulary = new Vocabulary();

  get size(): number {
    return this.index.documentCount;
  }

  /** Brings the index up to date with what the device holds now. */
  sync(timelines: Iterable<readonly [RoomId, readonly LocalMessage[]]>): void {
    this.apply(this.feed.next(timelines));
  }

  /** Learns what changed (from an IndexFeed, maybe on another thread). */
  apply({ rooms, gone }: IndexChanges): void {
    for (const [room, documents] of rooms) {
      const contents = this.contents.get(room) ?? new Map<string, string>();
      const current = new Set<string>();
      for (const { key, ts, content } of documents) {
        current.add(key);
        const indexed = contents.get(key);
        if (indexed === content) continue;
        const document = { id: key, room, ts, content };
        if (indexed === undefined) this.index.add(document);
        else {
          this.index.replace(document);
          this.vocabulary.remove(textWords(indexed));
        }
        this.vocabulary.add(textWords(content));
        contents.set(key, content);
      }
      this.drop(contents, (key) => !current.has(key));
      this.contents.set(room, contents);
    }
    // A room the device no longer holds (left, or a session ended) leaves the index too.
    for (const room of gone) {
      const contents = this.contents.get(room);
      if (contents) this.drop(contents, () => true);
      this.contents.delete(room);
    }
  }

  /**
   * Messages holding every word of `query` (the last one, from MIN_PREFIX letters, also as a prefix: it
   * may still be being typed; its closest completions, logic/search-vocabulary.ts), best first, newest
   * first among equals. MiniSearch answers sorted by score,
   * so only the first `limit` (and any tied with the last of them) are turned into hits.
   */
  search(query: string, limit = 50): IndexHit[] {
    const words = queryWords(query);
    if (words.length === 0) return [];
    const whole = words.slice(0, -1);
    const last = words[words.length - 1] ?? '';
    // The last word, perhaps half typed: any of its closest completions (itself included when it is a word).
    const completions = last.length >= MIN_PREFIX ? this.vocabulary.completions(last) : [last];
    if (completions.length === 0) return [];
    const found = this.index.search({ combineWith: 'AND', queries: [...whole, { combineWith: 'OR', queries: completions }] });
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
    for (const key of keys) {
      this.vocabulary.remove(textWords(contents.get(key) ?? ''));
      contents.delete(key);
    }
  }
}
