/**
 * Catch-up pages for `auth.pages: 'rows'`, kept encoded in SQLite so a long catch-up reads one
 * row per page instead of one per message, after a restart as well as warm.
 *
 * A full page is SEALED_PAGE_SIZE messages from seq 1, 501, 1001, …; once its last message is
 * in, a trigger queues it in `unsealed_pages`, and the writer, when quiet, stores its rows' JSON
 * and its authors' ids in `sealed_pages`. A change to any of its messages takes the sealed page
 * back and queues it again, in the change's own transaction (sqlite-schema.ts), so a sealed page
 * is always what its rows read now. Authors are stored by id and named when the page is read:
 * a new name or handle changes no sealed page.
 *
 * Measured with the bench's catch-up job (`WORKERS=2`, server restarted, 6 runs each, builds
 * interleaved): 100,000 missed took 219-352 ms (median 243) as `message:batch` pages read row by
 * row, 86-138 ms (median 123) as rows from sealed pages; 10,000 took 43-70 (53) and 29-40 (34).
 */
import type Database from 'better-sqlite3';
import type { RoomId } from '../../shared/protocol';
import type { EncodedPage } from './store';
import { sqliteChunksWhenQuiet } from './quiet-work';

/** The schema's triggers count pages of 500 (sqlite-schema.ts); catch-up asks for BATCH_SIZE pages, also 500. */
export const SEALED_PAGE_SIZE = 500;

/**
 * One message as a `message:rows` row: its first six fields, and a seventh, an object of what
 * it has beyond them, only when it has any (json_patch drops the absent ones, as MESSAGE_JSON does).
 */
export const ROW_JSON = `CASE WHEN m.reply_json IS NULL AND m.edited_at IS NULL AND m.deleted = 0 AND m.reactions IS NULL AND m.attachments IS NULL
  THEN json_array(m.id, m.seq, m.author_id, m.client_offset, m.content, m.ts)
  ELSE json_array(m.id, m.seq, m.author_id, m.client_offset, m.content, m.ts,
    json_patch('{}', json_object('replyTo', json(m.reply_json), 'editedAt', m.edited_at,
      'deleted', CASE WHEN m.deleted THEN json('true') END, 'reactions', json(m.reactions), 'attachments', json(m.attachments)))) END`;

/** A page's authors, named now, as the `users` of a `message:rows` payload (`?`: a JSON array of ids). */
export const PAGE_USERS_JSON = `SELECT json_group_array(CASE WHEN handle IS NULL OR handle = '' THEN json_array(id, name) ELSE json_array(id, name, handle) END)
  FROM users WHERE id IN (SELECT value FROM json_each(?))`;

/** The JSON text of a `message:rows` payload from its parts, each already JSON. */
export function rowsPayload(room: RoomId, usersJson: string, rowsJson: string, count: number, lastSeq: number): EncodedPage {
  return { json: `{"room":${JSON.stringify(room)},"users":${usersJson},"rows":[${rowsJson}]}`, count, lastSeq };
}

/** The distinct author ids of a page's rows, as a JSON array. */
export function authorsOf<Row extends { 1: string }>(rows: Row[]): string {
  return JSON.stringify([...new Set(rows.map((row) => row[1]))]);
}

export type PageSealer = {
  /** The writer just committed: seal what is queued when it has been quiet for a while. */
  committed(): void;
  /** Seals up to `limit` queued pages now; returns how many queued pages it took (sealed or not yet full). */
  sealNow(limit?: number): number;
  close(): void;
};

export type SealerOptions = { chunk?: number; quietMs?: number };

/** Runs on the writer's connection, like the search indexer, between its commits. */
export function createPageSealer(db: Database.Database, options: SealerOptions = {}): PageSealer {
  // 8 pages are ~4 ms of the writer's time: what one forced step under steady traffic may cost a send.
  const { chunk = 8, quietMs = 50 } = options;
  const q = {
    next: db.prepare<[number], { room: string; first_seq: number }>('SELECT room, first_seq FROM unsealed_pages LIMIT ?'),
    rows: db
      .prepare<[string, number, number], [seq: number, authorId: string, json: string]>(
        `SELECT m.seq, m.author_id, ${ROW_JSON} FROM messages m WHERE m.room = ? AND m.seq BETWEEN ? AND ? ORDER BY m.seq`,
      )
      .raw(true),
    seal: db.prepare<[string, number, string, string]>(
      'INSERT OR REPLACE INTO sealed_pages (room, first_seq, authors_json, rows_json) VALUES (?, ?, ?, ?)',
    ),
    done: db.prepare<[string, number]>('DELETE FROM unsealed_pages WHERE room = ? AND first_seq = ?'),
  };
  const sealChunk = db.transaction((limit: number): number => {
    const queued = q.next.all(limit);
    for (const { room, first_seq: first } of queued) {
      const rows = q.rows.all(room, first, first + SEALED_PAGE_SIZE - 1);
      // Not full yet (a change to the newest page queues it): the insert of its last message queues it again.
      if (rows.length === SEALED_PAGE_SIZE) q.seal.run(room, first, authorsOf(rows), rows.map((row) => row[2]).join(','));
      q.done.run(room, first);
    }
    return queued.length;
  });

  const work = sqliteChunksWhenQuiet((limit) => sealChunk.immediate(limit), { chunk, quietMs });
  return { committed: work.committed, sealNow: work.now, close: work.stop };
}
