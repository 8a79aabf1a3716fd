/** Searching the messages of the rooms the caller may read: never a DM of others, whatever the query. */
import { Hono } from 'hono';
import type { SearchResult } from '../../../shared/protocol';
import { parsePayload, searchQuerySchema } from '../../../shared/schema';
import { searchTerms } from '../../../shared/search-terms';
import { accessTo } from '../../chat/access';
import { err } from '../../chat/errors';
import { errorResponse } from '../errors';
import { type AppDeps, type Env } from '../request';

export function searchRoutes(deps: AppDeps) {
  const { store } = deps;
  return new Hono<Env>().get('/search', async (c) => {
    const query = parsePayload(searchQuerySchema, c.req.query());
    if (!query.ok) return errorResponse(c, query.error);
    const { q, room, before, limit, cursor = 0 } = query.value;
    const userId = c.get('user').id;
    let rooms: string[];
    if (room !== undefined) {
      if ((await accessTo(store, userId, room)) === 'forbidden')
        return errorResponse(c, err('forbidden', 'you may not read that conversation'));
      rooms = [room];
    } else {
      rooms = (await store.roomsOf(userId)).map((summary) => summary.id);
    }
    const hits = await store.search({ terms: searchTerms(q), rooms, beforeId: before, limit, offset: cursor });
    const results: SearchResult[] = hits;
    return c.json(results.length === limit ? { results, next: String(cursor + limit) } : { results }, 200);
  });
}
