/**
 * The device's full-text index of the messages it holds (MiniSearch, in memory), kept in step with the
 * timelines incrementally: a room whose timeline did not change since the last look costs nothing, and
 * a changed one only adds, replaces or drops what differs. It is built in slices that yield to the page
 * (applyInSlices), and queried on the main thread (see io/search-client.ts for why not a worker).
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

/** Messages indexed between two yields to the page (about 15 ms of work on a phone). */
const SLICE = 1000;

type IndexedMessage = { id: string; room: RoomId; ts: number; content: string };

/** A message that matched (its key and room), with the words of it that matched (folded), for highlighting. */
export type IndexHit = { key: string; room: RoomId; ts: number; terms: string[]; score: number };

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

  /** Learns what changed (from an IndexFeed). */
  apply(changes: IndexChanges): void {
    for (const _slice of this.learn(changes)) continue;
  }

  /**
   * Learns what changed a slice of SLICE messages at a time, yielding to the page between slices, so
   * building the index over 50,000 messages (about a second) never holds the screen for long.
   */
  async applyInSlices(changes: IndexChanges): Promise<void> {
    for (const _slice of this.learn(changes)) await new Promise((resolve) => setTimeout(resolve, 0));
  }

  /** Applies `changes`, pausing (yielding) after every SLICE messages indexed. */
  private *learn({ rooms, gone }: IndexChanges): Generator<void> {
    let learnt = 0;
    for (const [room, documents] of rooms) {
      const contents = this.contents.get(room) ?? new Map<string, string>();
      const current = new Set<string>();
      this.contents.set(room, contents);
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
        if (++learnt % SLICE === 0) yield;
      }
      this.drop(contents, (key) => !current.has(key));
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
