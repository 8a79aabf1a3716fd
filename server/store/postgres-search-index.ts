/**
 * Keeps PostgreSQL's search index (`message_search`: each message's words as a tsvector, under
 * a GIN index) in step with the messages, off the send path, as SQLite's indexer does
 * (sqlite-search-index.ts). Messages get ids in commit order (append_messages allocates them
 * under the writer lock), so `search_progress.last_id` marks everything indexed so far; after
 * the group commit has been quiet for a moment, this process indexes the next chunk past it.
 *
 * Why not a generated column, as before: the bench's ingest measured it at about a fifth of
 * PostgreSQL's CPU per message (0.257 vs 0.201 ms without it). Search may then miss the newest
 * messages for a moment of heavy traffic; sends never wait for it.
 *
 * Every worker of every instance runs one; the mark's row lock lets one index at a time and the
 * others skip. An edit or a deletion writes its message's entry itself (upsert), so
 * an entry is never older than the message, whichever commits first.
 */
import type pg from 'pg';
import { log } from '../observe/log';
import { runWhenQuiet } from './quiet-work';

export type PostgresSearchIndexer = {
  /** A batch just committed: index once the commits have been quiet for a while. */
  committed(): void;
  /** Indexes up to `limit` messages past the mark now; resolves with how many, or BUSY if another process held the mark. */
  indexNow(limit?: number): Promise<number>;
  /** Stops scheduling and waits for a chunk in progress. */
  close(): Promise<void>;
};

export type PostgresIndexerOptions = { chunk?: number; quietMs?: number };

/**
 * One chunk, one statement. The mark's row is locked for the statement (SKIP LOCKED: a process
 * that finds it taken indexes nothing and tries again later), so one process of any instance
 * indexes a schema at a time, and the entries and the mark move together.
 */
const INDEX_CHUNK = `
  WITH mark AS (SELECT last_id FROM search_progress FOR UPDATE SKIP LOCKED),
  next AS (SELECT m.id, m.room, m.content FROM messages m, mark WHERE m.id > mark.last_id ORDER BY m.id LIMIT $1),
  added AS (
    INSERT INTO message_search (id, room, search) SELECT n.id, n.room, to_tsvector('simple', n.content) FROM next n
    ON CONFLICT (id) DO NOTHING
  ),
  moved AS (UPDATE search_progress SET last_id = (SELECT max(n.id) FROM next n) WHERE EXISTS (SELECT 1 FROM next))
  SELECT (SELECT count(*) FROM mark)::int AS held, (SELECT count(*) FROM next)::int AS indexed`;

/** What indexNow answers when another process holds the mark. */
export const BUSY = -1;

export function createPostgresSearchIndexer(pool: pg.Pool, options: PostgresIndexerOptions = {}): PostgresSearchIndexer {
  const { chunk = 500, quietMs = 50 } = options;
  let running: Promise<number> | undefined;

  async function indexChunk(limit: number): Promise<number> {
    const { rows } = await pool.query<{ held: number; indexed: number }>(INDEX_CHUNK, [limit]);
    return rows[0]?.held ? rows[0].indexed : BUSY;
  }

  function indexNow(limit = chunk): Promise<number> {
    // One chunk at a time per process; a second caller shares the one in progress.
    running ??= indexChunk(limit).finally(() => {
      running = undefined;
    });
    return running;
  }

  const work = runWhenQuiet(quietMs, async () => {
    try {
      const indexed = await indexNow();
      if (indexed > 0) return 5;
      // Another process holds the mark: if it stops before the end, this one carries on.
      return indexed === BUSY ? quietMs * 4 : null;
    } catch (error) {
      // PostgreSQL away for a moment: the next commit (or this retry) tries again.
      log.warn(`postgres: search indexing failed (${(error as Error).message})`);
      return 1_000;
    }
  });
  return {
    committed: work.committed,
    indexNow,
    async close() {
      work.stop();
      await running?.catch(() => undefined);
    },
  };
}
