/**
 * The words the device search index holds, each with how many messages hold it, kept sorted so the
 * completions of a word still being typed are found by binary search. A short prefix ("ten") can
 * begin words held by half the messages; scoring them all made a keystroke cost hundreds of ms, so
 * only the closest completions (shortest first) are searched, within a budget of messages.
 */

/** At most this many completions of the last word are searched. */
export const MAX_COMPLETIONS = 64;
/** Completions are added, shortest first, until they hold about this many messages. */
export const COMPLETION_BUDGET = 3000;
/** More completions than this are not even looked at (one letter begins a good part of a language). */
const SCAN_LIMIT = 5000;

export class Vocabulary {
  /** word → how many indexed messages hold it. */
  private readonly counts = new Map<string, number>();
  private sorted: string[] = [];
  /** Words added or gone since `sorted` was last brought up to date. */
  private added = new Set<string>();
  private removed = new Set<string>();

  get size(): number {
    return this.counts.size;
  }

  /** A message holding `words` was indexed. */
  add(words: Iterable<string>): void {
    for (const word of new Set(words)) {
      const count = this.counts.get(word) ?? 0;
      this.counts.set(word, count + 1);
      if (count === 0 && !this.removed.delete(word)) this.added.add(word);
    }
  }

  /** A message holding `words` left the index. */
  remove(words: Iterable<string>): void {
    for (const word of new Set(words)) {
      const count = this.counts.get(word) ?? 0;
      if (count > 1) this.counts.set(word, count - 1);
      else if (count === 1) {
        this.counts.delete(word);
        if (!this.added.delete(word)) this.removed.add(word);
      }
    }
  }

  /** Words starting with `prefix`, shortest (closest to what was typed) first, within MAX_COMPLETIONS and COMPLETION_BUDGET; never none when one exists. */
  completions(prefix: string): string[] {
    const sorted = this.upToDate();
    const found: string[] = [];
    for (let at = lowerBound(sorted, prefix); at < sorted.length && found.length < SCAN_LIMIT; at++) {
      const word = sorted[at];
      if (word === undefined || !word.startsWith(prefix)) break;
      found.push(word);
    }
    found.sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    const chosen: string[] = [];
    let messages = 0;
    for (const word of found) {
      const count = this.counts.get(word) ?? 0;
      if (chosen.length > 0 && (chosen.length >= MAX_COMPLETIONS || messages + count > COMPLETION_BUDGET)) break;
      chosen.push(word);
      messages += count;
    }
    return chosen;
  }

  /** The sorted words, merging what changed: one sort after a big load, binary insertions after a few new messages. */
  private upToDate(): string[] {
    if (this.removed.size > 0) {
      const removed = this.removed;
      this.sorted = this.sorted.filter((word) => !removed.has(word));
      this.removed = new Set();
    }
    if (this.added.size > 256) this.sorted = [...this.counts.keys()].sort();
    else for (const word of this.added) this.sorted.splice(lowerBound(this.sorted, word), 0, word);
    this.added = new Set();
    return this.sorted;
  }
}

/** The first index whose word is not below `word`. */
function lowerBound(sorted: readonly string[], word: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? '') < word) low = middle + 1;
    else high = middle;
  }
  return low;
}
