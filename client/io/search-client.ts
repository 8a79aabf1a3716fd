/**
 * The main thread's side of device search: tells the search worker what changed in the timelines (only
 * the rooms whose timeline changed cross over) and waits for its answer. Building the index over 50,000
 * messages takes about a second; in the worker the screen never waits for it.
 */
import type { RoomId } from '../../shared/protocol';
import type { LocalMessage } from '../logic/models';
import { IndexFeed } from '../logic/search-feed';
import type { IndexHit, SearchAnswer, SearchRequest } from './search-index';

type Waiting = { resolve(hits: IndexHit[]): void; reject(error: Error): void };

export class DeviceSearch {
  private readonly worker = new Worker(new URL('./search-worker.ts', import.meta.url), { type: 'module', name: 'search' });
  private readonly feed = new IndexFeed();
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<SearchAnswer>) => {
      this.waiting.get(event.data.id)?.resolve(event.data.hits);
      this.waiting.delete(event.data.id);
    };
    // A worker that could not start (or broke) answers nothing: every search waiting on it fails now.
    this.worker.onerror = () => {
      for (const { reject } of this.waiting.values()) reject(new Error('the search worker failed'));
      this.waiting.clear();
    };
  }

  /** Messages the device holds matching `query`, best first, once the index has learnt `timelines`. */
  search(timelines: Iterable<readonly [RoomId, readonly LocalMessage[]]>, query: string, limit?: number): Promise<IndexHit[]> {
    const request: SearchRequest = { id: this.nextId++, changes: this.feed.next(timelines), query, limit };
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /** The session ended: the index and everything it learnt go with the worker. */
  close(): void {
    this.worker.terminate();
    for (const { reject } of this.waiting.values()) reject(new Error('search closed'));
    this.waiting.clear();
  }
}
