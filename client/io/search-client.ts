/**
 * Device search, loaded on first use (MiniSearch stays out of the app shell): keeps the index in step
 * with the timelines (only rooms whose timeline changed are looked at) and answers from it.
 *
 * Why not a Web Worker: the index is built in slices that yield to the page, so its one slow moment
 * (about a second over 50,000 messages) never blocks the screen for long, and a query (a few ms: the
 * last word's completions are bounded) costs less than the two thread hand-offs a worker adds to every
 * keystroke, which measured 10-30 ms on a busy two-core machine.
 */
import type { RoomId } from '../../shared/protocol';
import type { LocalMessage } from '../logic/models';
import { IndexFeed } from '../logic/search-feed';
import { MessageIndex, type IndexHit } from './search-index';

export class DeviceSearch {
  private readonly index = new MessageIndex();
  private readonly feed = new IndexFeed();
  /** Learning runs one batch of changes at a time, in order, even when a query arrives mid-build. */
  private learning: Promise<void> = Promise.resolve();

  /** Messages the device holds matching `query`, best first, once the index has learnt `timelines`. */
  async search(timelines: Iterable<readonly [RoomId, readonly LocalMessage[]]>, query: string, limit?: number): Promise<IndexHit[]> {
    const changes = this.feed.next(timelines);
    if (changes.rooms.length > 0 || changes.gone.length > 0) this.learning = this.learning.then(() => this.index.applyInSlices(changes));
    await this.learning;
    return this.index.search(query, limit);
  }

  /** The session ended: nothing more is learnt (the index goes with this object). */
  close(): void {
    this.learning = new Promise(() => undefined);
  }
}
