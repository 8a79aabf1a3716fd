/**
 * Catch-up pages for `auth.pages: 'rows'` and `'packed'`, kept encoded in SQLite so a long catch-up
 * reads one row per page instead of one per message, after a restart as well as warm.
 *
 * A full page is SEALED_PAGE_SIZE messages from seq 1, 501, 1001, …; once its last message is
 * in, a trigger queues it in `unsealed_pages`, and the writer, when quiet, stores its rows' JSON
 * in both formats and its authors' ids in `sealed_pages`. A change to any of its messages takes
 * the sealed page back and queues it again, in the change's own transaction (sqlite-schema.ts),
 * so a sealed page is always what its rows read now. Authors are stored by id and named when the
 * page is read: a new name or handle changes no sealed page.
 *
 * Measured with the bench's catch-up job (`WORKERS=2`, server restarted, 6 runs each, builds
 * interleaved): 100,000 missed took 219-352 ms (median 243) as `message:batch` pages read row by
 * row, 86-138 ms (median 123) as rows from sealed pages; 10,000 took 43-70 (53) and 29-40 (34).
 */
import type Database from 'better-sqlite3';
import { packRows } from '../../shared/message-packed';
import { sqliteChunksWhenQuiet } from './quiet-work';

/** The schema's triggers count pages of 500 (sqlite-schema.ts); catch-up asks for BATCH_SIZE pages, also 500. */
export const SEALED_PAGE_SIZE = 500;

/**
 * What a page row needs of a message (`m`): its first six fields, the strings already JSON
 * (`json_quote`), and what it has beyond them as the object of a row's seventh place, or NULL
 * when it has none of it (json_patch drops the absent ones, as MESSAGE_JSON does).
 */
export const PAGE_COLUMNS = `m.id, m.seq, m.author_id, json_quote(m.author_id), json_quote(m.client_offset), json_quote(m.content), m.ts,
  CASE WHEN m.reply_json IS NULL AND m.edited_at IS NULL AND m.deleted = 0 AND m.reactions IS NULL AND m.attachments IS NULL THEN NULL
  ELSE json_patch('{}', json_object('replyTo', json(m.reply_json), 'editedAt', m.edited_at,
    'deleted', CASE WHEN m.deleted THEN json('true') END, 'reactions', json(m.reactions), 'attachments', json(m.attachments))) END`;

export type PageTuple = [
  id: number,
  seq: number,
  authorId: string,
  authorJson: string,
  clientOffsetJson: string,
  contentJson: string,
  ts: number,
  laterJson: string | null,
];

/**
 * A page's authors, named now, as the `users` of a `message:rows` or `message:packed` payload (`?`: a
 * JSON array of ids), in the order of the ids: a packed row names its author by that place. An id
 * with no user left is named by itself, as messagesOfRows names an author missing from `users`.
 */
export const PAGE_USERS_JSON = `SELECT json_group_array(CASE WHEN u.id IS NULL THEN json_array(a.value, a.value)
    WHEN u.handle IS NULL OR u.handle = '' THEN json_array(u.id, u.name) ELSE json_array(u.id, u.name, u.handle) END ORDER BY a.key)
  FROM json_each(?) a LEFT JOIN users u ON u.id = a.value`;

/**
 * Rows read with PAGE_COLUMNS (raw) as the text inside each format's `rows: [...]`, and their
 * authors' ids as a JSON array, in the order packed rows number them (first appearance).
 */
export function pageTexts(tuples: PageTuple[]): { authorsJson: string; rowsJson: string; packedJson: string } {
  const rows = tuples.map(
    ([id, seq, , authorJson, clientOffsetJson, contentJson, ts, laterJson]) =>
      `[${id},${seq},${authorJson},${clientOffsetJson},${contentJson},${ts}${laterJson ? `,${laterJson}` : ''}]`,
  );
  const packed = packRows(
    tuples.map(([id, seq, authorId, , clientOffsetJson, contentJson, ts, laterJson]) => ({
      id,
      seq,
      authorId,
      clientOffsetJson,
      contentJson,
      ts,
      laterJson,
    })),
  );
  return { authorsJson: JSON.stringify(packed.authorIds), rowsJson: rows.join(','), packedJson: packed.rowsJson };
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
  // 4 pages (each in both formats) are 5-10 ms of the writer's time, as 8 were with rows alone:
  // what one forced step under steady traffic may cost a send.
  const { chunk = 4, quietMs = 50 } = options;
  const q = {
    next: db.prepare<[number], { room: string; first_seq: number }>('SELECT room, first_seq FROM unsealed_pages LIMIT ?'),
    rows: db
      .prepare<[string, number, number], PageTuple>(
        `SELECT ${PAGE_COLUMNS} FROM messages m WHERE m.room = ? AND m.seq BETWEEN ? AND ? ORDER BY m.seq`,
      )
      .raw(true),
    seal: db.prepare<[string, number, string, string, string]>(
      'INSERT OR REPLACE INTO sealed_pages (room, first_seq, authors_json, rows_json, packed_json) VALUES (?, ?, ?, ?, ?)',
    ),
    done: db.prepare<[string, number]>('DELETE FROM unsealed_pages WHERE room = ? AND first_seq = ?'),
  };
  const sealChunk = db.transaction((limit: number): number => {
    const queued = q.next.all(limit);
    for (const { room, first_seq: first } of queued) {
      const rows = q.rows.all(room, first, first + SEALED_PAGE_SIZE - 1);
      // Not full yet (a change to the newest page queues it): the insert of its last message queues it again.
      if (rows.length === SEALED_PAGE_SIZE) {
        const texts = pageTexts(rows);
        q.seal.run(room, first, texts.authorsJson, texts.rowsJson, texts.packedJson);
      }
      q.done.run(room, first);
    }
    return queued.length;
  });

  const work = sqliteChunksWhenQuiet((limit) => sealChunk.immediate(limit), { chunk, quietMs });
  return { committed: work.committed, sealNow: work.now, close: work.stop };
}
