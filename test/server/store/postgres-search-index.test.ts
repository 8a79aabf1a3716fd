/**
 * PostgreSQL's search index is filled after the commits (postgres-search-index.ts), while edits
 * and deletions write their message's entry themselves. Run together, as a busy server runs them,
 * neither may fail the other (an edit once deadlocked with the indexer's foreign-key check), and
 * every entry ends as the message now reads.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewChange, Store } from '../../../server/store/store';
import { openPostgresStore } from '../../../server/store/postgres';
import { createPostgresSearchIndexer } from '../../../server/store/postgres-search-index';
import { newUser, send } from '../../support/store-kinds';
import { dropSchema, freshSchemaName, postgresProblem, shouldRun, TEST_DATABASE_URL } from '../../support/services';

const pgAvailable = shouldRun('PostgreSQL search indexer', await postgresProblem());
const MESSAGES = 300;

describe.skipIf(!pgAvailable)('the PostgreSQL search indexer', () => {
  const schema = freshSchemaName('chat_search_index');
  let store: Store | undefined;
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}`, max: 4 });
  afterAll(async () => {
    await store?.close();
    await pool.end();
    await dropSchema(schema);
  });

  it('indexes while edits and deletions write their own entries, and ends with every entry as its message reads', async () => {
    store = await openPostgresStore(TEST_DATABASE_URL, { schema });
    const opened = store;
    const ada = await newUser(opened, 'Ada');
    const sent = await Promise.all(
      Array.from({ length: MESSAGES }, (_, i) => opened.appendMessage(send(ada, 'general', `m-${i}`, `draft words number${i}`))),
    );
    // A second indexer (as another worker's) racing the store's own, a chunk at a time, while
    // every message is edited or deleted.
    const racing = createPostgresSearchIndexer(pool, { chunk: 7, quietMs: 60_000 });
    let stop = false;
    const indexing = (async () => {
      while (!stop) await racing.indexNow();
    })();
    const changes = sent.map(({ message }, i): NewChange =>
      i % 3 === 2
        ? { kind: 'delete', room: 'general', author: ada, target: message.id, clientOffset: `d-${i}` }
        : { kind: 'edit', room: 'general', author: ada, target: message.id, clientOffset: `e-${i}`, content: `final words number${i}` },
    );
    const outcomes = await Promise.allSettled(changes.map((change) => opened.applyChange(change)));
    stop = true;
    await indexing;
    await racing.close();
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);

    // Whatever is left past the mark, then the index as it stands.
    while ((await racing.indexNow(1_000)) !== 0);
    const search = async (word: string) =>
      (await opened.search({ terms: [word], rooms: ['general'], limit: MESSAGES, offset: 0 }))
        .map((hit) => hit.message.id)
        .sort((a, b) => a - b);
    const edited = sent.filter((_, i) => i % 3 !== 2).map(({ message }) => message.id);
    expect(await search('final')).toEqual(edited);
    expect(await search('draft')).toEqual([]);
    const { rows } = await pool.query<{ entries: number; last_id: number }>(
      'SELECT (SELECT count(*)::int FROM message_search) AS entries, (SELECT last_id::int FROM search_progress) AS last_id',
    );
    expect(rows[0]).toEqual({ entries: MESSAGES, last_id: Math.max(...sent.map(({ message }) => message.id)) });
  });
});
