/**
 * Group commit on SQLite: appends queued in one turn of the event loop share one
 * transaction and are settled together once it has committed.
 *
 * It runs on a connection of its own that never waits inside SQLite. SQLite's
 * busy handler sleeps 1, 2, 5, 10… ms with the event loop blocked while another
 * worker holds the write lock; here a batch that finds the lock taken waits on a
 * timer instead, the worker keeps serving its sockets, and sends arriving
 * meanwhile join the batch.
 */
import type Database from 'better-sqlite3';
import { createGroupCommit } from './group-commit';
import { createSearchIndexer } from './sqlite-search-index';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './message-row';
import { StoreUnavailableError, type Appender, type AppendResult, type NewMessage } from './store';

/** How long a write waits for another process's lock before it fails as `unavailable`. */
export const LOCK_WAIT_MS = 15_000;

/** `db` should have a busy timeout of 0 (see above) and be used for nothing else that writes. */
export function openSqliteAppender(db: Database.Database): Appender {
  const q = {
    lastSeq: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM rooms WHERE id = ?'),
    setLastSeq: db.prepare('UPDATE rooms SET last_seq = ? WHERE id = ?'),
    // One statement per message: a repeated (author, clientOffset) inserts nothing and returns no row.
    insert: db.prepare<[string, number, string, string, string, number], { id: number }>(
      `INSERT INTO messages (room, seq, author_id, client_offset, content, ts) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (author_id, client_offset) DO NOTHING RETURNING id`,
    ),
    existing: db.prepare<[string, string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id WHERE m.author_id = ? AND m.client_offset = ?`,
    ),
  };

  /** One transaction for the whole batch; outcome i belongs to input i. Seqs are read and written once per room. */
  const commitBatch = db.transaction((batch: NewMessage[]) => {
    const now = Date.now();
    const lastSeqs = new Map<string, { stored: number; last: number }>();
    const outcomes = batch.map((input): AppendResult | Error => {
      let seqs = lastSeqs.get(input.room);
      if (!seqs) {
        const stored = q.lastSeq.get(input.room)?.last_seq;
        if (stored === undefined) return new Error(`room ${input.room} does not exist`);
        seqs = { stored, last: stored };
        lastSeqs.set(input.room, seqs);
      }
      const seq = seqs.last + 1;
      const row = q.insert.get(input.room, seq, input.author.id, input.clientOffset, input.content, now);
      if (!row) {
        const found = q.existing.get(input.author.id, input.clientOffset);
        return found ? { message: toMessage(found), created: false } : new Error('insert ignored but no stored message found');
      }
      seqs.last = seq;
      return {
        created: true,
        message: {
          id: row.id,
          room: input.room,
          seq,
          author: input.author,
          clientOffset: input.clientOffset,
          content: input.content,
          ts: now,
        },
      };
    });
    for (const [room, { stored, last }] of lastSeqs) if (last !== stored) q.setLastSeq.run(last, room);
    return outcomes;
  });

  // The writer also keeps the search index, between commits (sqlite-search-index.ts).
  const indexer = createSearchIndexer(db);
  const group = createGroupCommit<NewMessage, AppendResult>({
    commit: (batch) => {
      const outcomes = commitBatch.immediate(batch);
      indexer.committed();
      return outcomes;
    },
    // Another process holds the write lock: wait on a timer, with the event loop free, and retry with what arrived meanwhile.
    retryAfter: (error, waitedMs) => (isBusy(error) && waitedMs < LOCK_WAIT_MS ? 1 : undefined),
    failure: (error) => new StoreUnavailableError(`commit failed: ${(error as Error).message}`),
  });

  return {
    append: group.submit,
    async close() {
      indexer.close();
      // The last batch may wait for the lock as long as any other write.
      db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
      await group.close();
    },
  };
}

function isBusy(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_BUSY';
}
