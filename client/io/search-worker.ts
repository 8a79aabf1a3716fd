/**
 * The search worker: holds the device's MiniSearch index off the main thread, learns each request's
 * changes, then answers its query. Started by io/search-client.ts on the first search.
 */
import { MessageIndex, type SearchAnswer, type SearchRequest } from './search-index';

const index = new MessageIndex();

self.onmessage = (event: MessageEvent<SearchRequest>) => {
  const { id, changes, query, limit } = event.data;
  index.apply(changes);
  const answer: SearchAnswer = { id, hits: index.search(query, limit) };
  self.postMessage(answer);
};
