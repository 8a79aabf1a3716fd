/** Search, held to one contract on SQLite (FTS5) and PostgreSQL (tsvector): words, rooms, order, snippets, paging. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SNIPPET_MARK_END, SNIPPET_MARK_START, searchTerms } from '../../../shared/search-terms';
import { openPostgresStore } from '../../../server/store/postgres';
import { openSqliteStore } from '../../../server/store/sqlite';
import type { SearchQuery, Store } from '../../../server/store/store';
import { tempDir } from '../../support/server';
import { dropSchema, freshSchemaName, postgresProblem, shouldRun, TEST_DATABASE_URL } from '../../support/services';

const pgAvailable = shouldRun('PostgreSQL search contract', await postgresProblem());
const dir = tempDir('chat-search-');
const schema = freshSchemaName('chat_search');
afterAll(async () => {
  dir.remove();
  if (pgAvailable) await dropSchema(schema);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const kinds: Array<{ name: string; run: boolean; open(): Promise<Store> }> = [
  { name: 'SQLite', run: true, open: async () => openSqliteStore(join(dir.path, 'search.db'), { synchronous: 'NORMAL' }) },
  { name: 'PostgreSQL', run: pgAvailable, open: () => openPostgresStore(TEST_DATABASE_URL, { schema }) },
];

describe.each(kinds)('search on $name', ({ run, open }) => {
  it.skipIf(!run)(
    'finds messages holding every word, only in the rooms asked, best match first, with marked snippets, a page at a time',
    async () => {
      const store = await open();
      const ana = { id: 'ana', name: 'Ana' };
      await store.createUser(ana, { id: 's-ana', tokenHash: 'h-ana', device: 'test' });
      await store.joinRoom('ana', 'dm:ana:bob', 'dm');
      const texts = [
        ['general', 'the quarterly report is ready'],
        ['general', 'Report: report, report! Everyone read the report'],
        ['general', 'lunch at noon'],
        ['dm:ana:bob', 'the secret report for bob only'],
        ['general', 'Ünïcode wörds and the report'],
      ];
      for (const [index, [room, content]] of texts.entries()) {
        await store.appendMessage({ room, author: ana, clientOffset: `m${index}`, content });
      }
      const search = (query: Partial<SearchQuery> & { text: string }) =>
        store.search({
          terms: searchTerms(query.text),
          rooms: query.rooms ?? ['general'],
          beforeId: query.beforeId,
          limit: query.limit ?? 10,
          offset: query.offset ?? 0,
        });
      // Both stores index off the send path, after a pause in the commits, which under load can
      // fall between two of these sends: wait for the last one, so every earlier one is in too.
      await waitFor(async () => (await search({ text: 'report' })).length === 3, 5000, 'the index');

      const reports = await search({ text: 'REPORT' });
      expect(reports.map((hit) => hit.message.clientOffset).sort()).toEqual(['m0', 'm1', 'm4']);
      // The message that says it four times ranks first.
      expect(reports[0].message.clientOffset).toBe('m1');
      expect(reports[0].snippet).toMatch(new RegExp(`${SNIPPET_MARK_START}report${SNIPPET_MARK_END}`, 'i'));
      expect(reports.every((hit) => hit.snippet.includes(SNIPPET_MARK_START) && hit.snippet.includes(SNIPPET_MARK_END))).toBe(true);
      // Every word must be there; rooms not asked for never answer.
      expect((await search({ text: 'quarterly report' })).map((hit) => hit.message.clientOffset)).toEqual(['m0']);
      expect(await search({ text: 'secret' })).toEqual([]);
      expect((await search({ text: 'secret', rooms: ['general', 'dm:ana:bob'] })).map((hit) => hit.message.room)).toEqual(['dm:ana:bob']);
      // Words are words: FTS or tsquery syntax in a query is just text.
      expect(await search({ text: 'report" OR "lunch' })).toHaveLength(0);
      expect(await search({ text: '' })).toEqual([]);
      // Pages: two, then the rest; `beforeId` keeps only older messages.
      const first = await search({ text: 'report', limit: 2 });
      const second = await search({ text: 'report', limit: 2, offset: 2 });
      expect([...first, ...second].map((hit) => hit.message.clientOffset).sort()).toEqual(['m0', 'm1', 'm4']);
      const older = await search({ text: 'report', beforeId: reports.find((hit) => hit.message.clientOffset === 'm4')?.message.id });
      expect(older.map((hit) => hit.message.clientOffset).sort()).toEqual(['m0', 'm1']);
      await store.close();
    },
  );

  it.skipIf(!run)('indexes a new message within seconds while sends keep coming, never quiet for long', async () => {
    const store = await open();
    const cy = { id: 'cy', name: 'Cy' };
    await store.createUser(cy, { id: 's-cy', tokenHash: 'h-cy', device: 'test' });
    // A commit every ~10 ms: the indexers wait for 50 ms without one, which this traffic never gives.
    let sending = true;
    const traffic = (async () => {
      for (let n = 0; sending; n++) {
        await store.appendMessage({ room: 'general', author: cy, clientOffset: `steady-${n}`, content: `steady traffic ${n}` });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await store.appendMessage({ room: 'general', author: cy, clientOffset: 'needle', content: 'a zanzibar needle' });
      const found = async () =>
        (await store.search({ terms: searchTerms('zanzibar'), rooms: ['general'], limit: 5, offset: 0 })).length === 1;
      await waitFor(found, 5000, 'the needle in the index while the traffic goes on');
    } finally {
      sending = false;
      await traffic;
      await store.close();
    }
  });
});
