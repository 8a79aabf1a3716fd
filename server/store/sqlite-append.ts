/**
 * Group commit on SQLite: writes queued in one turn of the event loop (sends,
 * changes and delivered receipts, in arrival order) share one transaction and
 * are settled together once it has committed.
 *
 * It runs on a connection of its own that never waits inside SQLite. SQLite's
 * busy handler sleeps 1, 2, 5, 10… ms with the event loop blocked while another
 * worker holds the write lock; here a batch that finds the lock taken waits on a
 * timer instead, the worker keeps serving its sockets, and writes arriving
 * meanwhile join the batch.
 */
import type Database from 'better-sqlite3';
import type { MessageChange, MessageTarget, ReplyPreview } from '../../shared/protocol';
import { replyPreviewText } from '../../shared/reply-preview';
import { DEFAULT_CHANGE_RULES, judgeChange, toggledReactions } from './change-rules';
import { observedCommit } from '../observe/metrics';
import { createGroupCommit } from './group-commit';
import { CHANGE_COLUMNS, MESSAGE_COLUMNS, toChange, toMessage, toUser, type ChangeRow, type MessageRow } from './message-row';
import { createPageSealer } from './sqlite-sealed-pages';
import { createSearchIndexer } from './sqlite-search-index';
import {
  StoreUnavailableError,
  WriteRefused,
  type Appender,
  type AppendResult,
  type ChangeResult,
  type ChangeRules,
  type NewChange,
  type NewMessage,
  type Write,
  type WriteResult,
} from './store';

/** How long a write waits for another process's lock before it fails as `unavailable`. */
export const LOCK_WAIT_MS = 15_000;

/** The row a change points at, with what the rules need. */
type TargetRow = MessageRow;

/** `db` should have a busy timeout of 0 (see above) and be used for nothing else that writes. */
export function openSqliteAppender(db: Database.Database, rules: ChangeRules = DEFAULT_CHANGE_RULES): Appender {
  const fromMessages = `FROM messages m JOIN users u ON u.id = m.author_id`;
  const q = {
    counters: db.prepare<[string], { last_seq: number; last_rev: number }>('SELECT last_seq, last_rev FROM rooms WHERE id = ?'),
    setCounters: db.prepare('UPDATE rooms SET last_seq = ?, last_rev = ? WHERE id = ?'),
    // One statement per message: a repeated (author, clientOffset) inserts nothing and returns no row.
    insert: db.prepare<[string, number, string, string, string, number, number | null, string | null, string | null], { id: number }>(
      `INSERT INTO messages (room, seq, author_id, client_offset, content, ts, reply_to, reply_json, attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (author_id, client_offset) DO NOTHING RETURNING id`,
    ),
    // Which rooms carry a blob: what every read of it is checked against.
    link: db.prepare('INSERT INTO message_attachments (attachment_id, message_id, room, name) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    unlink: db.prepare('DELETE FROM message_attachments WHERE message_id = ?'),
    byKey: db.prepare<[string, string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} ${fromMessages} WHERE m.author_id = ? AND m.client_offset = ?`,
    ),
    byId: db.prepare<[number], MessageRow>(`SELECT ${MESSAGE_COLUMNS} ${fromMessages} WHERE m.id = ?`),
    changeByKey: db.prepare<[string, string], ChangeRow>(
      `SELECT ${CHANGE_COLUMNS} FROM changes c JOIN users u ON u.id = c.author_id WHERE c.author_id = ? AND c.client_offset = ?`,
    ),
    deletion: db.prepare<[number], ChangeRow>(
      `SELECT ${CHANGE_COLUMNS} FROM changes c JOIN users u ON u.id = c.author_id WHERE c.target = ? AND c.kind = 'delete'`,
    ),
    insertChange: db.prepare(
      `INSERT INTO changes (room, rev, kind, target, target_seq, author_id, client_offset, ts, content, emoji, on_flag)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    edit: db.prepare('UPDATE messages SET content = ?, edited_at = ? WHERE id = ?'),
    erase: db.prepare(`UPDATE messages SET content = '', deleted = 1, reactions = NULL, attachments = NULL WHERE id = ?`),
    forgetEdits: db.prepare(`UPDATE changes SET content = NULL WHERE target = ? AND kind = 'edit'`),
    repliesPreview: db.prepare('UPDATE messages SET reply_json = ? WHERE reply_to = ?'),
    setReactions: db.prepare('UPDATE messages SET reactions = ? WHERE id = ?'),
    inBacklog: db.prepare<[number], { id: number }>('SELECT id FROM search_backlog WHERE id = ?'),
    unindex: db.prepare(`INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', ?, ?)`),
    reindex: db.prepare('INSERT INTO search_backlog (id) VALUES (?) ON CONFLICT DO NOTHING'),
    markDelivered: db.prepare<[string, number, string], { seq: number }>(
      `INSERT INTO delivered_cursors (user_id, room, seq)
       SELECT ?, r.id, MIN(?, r.last_seq) FROM rooms r WHERE r.id = ?
       ON CONFLICT (user_id, room) DO UPDATE SET seq = MAX(seq, excluded.seq)
       RETURNING seq`,
    ),
  };

  /** Each room's counters, read once per batch and written once at its end. */
  type Counters = { seq: number; rev: number; stored: { seq: number; rev: number } };

  function resolve(target: MessageTarget, authorId: string): TargetRow | undefined {
    return typeof target === 'number' ? q.byId.get(target) : q.byKey.get(authorId, target);
  }

  function previewOf(row: TargetRow): ReplyPreview {
    if (row.deleted) return { id: row.id, seq: row.seq, deleted: true };
    return {
      id: row.id,
      seq: row.seq,
      author: toUser(row.author_id, row.author_name, row.author_handle),
      preview: replyPreviewText(row.content),
    };
  }

  /** The search index holds a message's old text until told: drop it (and queue the new one). */
  function unindex(row: TargetRow, reindex: boolean): void {
    if (!q.inBacklog.get(row.id)) q.unindex.run(row.id, row.content);
    if (reindex) q.reindex.run(row.id);
  }

  function send(input: NewMessage, counters: Counters, now: number): AppendResult | Error {
    let replyTo: number | null = null;
    let replyJson: string | null = null;
    if (input.replyTo !== undefined) {
      const parent = resolve(input.replyTo, input.author.id);
      if (!parent || parent.room !== input.room) return new WriteRefused('not_found', 'the message replied to is not in this room');
      replyTo = parent.id;
      replyJson = JSON.stringify(previewOf(parent));
    }
    const seq = counters.seq + 1;
    const attachments = input.attachments?.length ? input.attachments : undefined;
    const attachmentsJson = attachments ? JSON.stringify(attachments) : null;
    const row = q.insert.get(input.room, seq, input.author.id, input.clientOffset, input.content, now, replyTo, replyJson, attachmentsJson);
    if (!row) {
      const found = q.byKey.get(input.author.id, input.clientOffset);
      return found ? { message: toMessage(found), created: false } : new Error('insert ignored but no stored message found');
    }
    for (const attachment of attachments ?? []) q.link.run(attachment.id, row.id, input.room, attachment.name);
    counters.seq = seq;
    const message: AppendResult['message'] = {
      id: row.id,
      room: input.room,
      seq,
      author: input.author,
      clientOffset: input.clientOffset,
      content: input.content,
      ts: now,
    };
    if (replyJson) message.replyTo = JSON.parse(replyJson) as ReplyPreview;
    if (attachments) message.attachments = attachments;
    return { created: true, message };
  }

  function change(input: NewChange, counters: Counters, now: number): ChangeResult | Error {
    const repeated = q.changeByKey.get(input.author.id, input.clientOffset);
    if (repeated) {
      const current = q.byId.get(repeated.target);
      return current
        ? { change: toChange(repeated), message: toMessage(current), created: false }
        : new Error('change without its message');
    }
    const target = resolve(input.target, input.author.id);
    if (!target || target.room !== input.room) return new WriteRefused('not_found', 'no such message in this room');
    const reactions = target.reactions ? (JSON.parse(target.reactions) as Record<string, string[]>) : {};
    const verdict = judgeChange(
      input,
      { authorId: target.author_id, ts: target.ts, deleted: Boolean(target.deleted), reactions },
      rules,
      now,
    );
    if (verdict === 'repeat-delete') {
      // Deleting twice (two devices, both offline) is the first deletion again.
      const first = q.deletion.get(target.id);
      return first ? { change: toChange(first), message: toMessage(target), created: false } : new Error('deleted without a deletion');
    }
    if (verdict) return verdict;

    const rev = counters.rev + 1;
    q.insertChange.run(
      input.room,
      rev,
      input.kind,
      target.id,
      target.seq,
      input.author.id,
      input.clientOffset,
      now,
      input.kind === 'edit' ? input.content : null,
      input.kind === 'react' ? input.emoji : null,
      input.kind === 'react' ? Number(input.on) : null,
    );
    counters.rev = rev;
    // The row as it now is, written and answered without reading it back.
    const updated: TargetRow = { ...target };
    if (input.kind === 'edit') {
      unindex(target, true);
      q.edit.run(input.content, now, target.id);
      Object.assign(updated, { content: input.content, edited_at: now });
    } else if (input.kind === 'delete') {
      unindex(target, false);
      // The text leaves the store, not just the screen: the message, its edits and its reactions.
      q.erase.run(target.id);
      q.forgetEdits.run(target.id);
      // Its attachments stop being readable through this message's room.
      q.unlink.run(target.id);
      Object.assign(updated, { content: '', deleted: 1, reactions: null, attachments: null });
    } else {
      updated.reactions = toggledReactions(reactions, input.author.id, input.emoji, input.on);
      if (updated.reactions !== target.reactions) q.setReactions.run(updated.reactions, target.id);
    }
    // Replies show their parent as it now is.
    if (input.kind !== 'react') q.repliesPreview.run(JSON.stringify(previewOf(updated)), target.id);
    const stored: MessageChange = {
      room: input.room,
      rev,
      kind: input.kind,
      target: target.id,
      targetSeq: target.seq,
      by: input.author,
      clientOffset: input.clientOffset,
      ts: now,
    };
    if (input.kind === 'edit') stored.content = input.content;
    if (input.kind === 'react') Object.assign(stored, { emoji: input.emoji, on: input.on });
    return { change: stored, message: toMessage(updated), created: true };
  }

  /** One transaction for the whole batch; outcome i belongs to write i. Counters are read and written once per room. */
  const commitBatch = db.transaction((batch: Write[]) => {
    const now = Date.now();
    const rooms = new Map<string, Counters>();
    const outcomes = batch.map((write): WriteResult | Error => {
      // Capped at the room's stored last_seq: a mark names seqs its client received, committed in earlier batches.
      if (write.kind === 'delivered')
        return { stored: write.marks.map((mark) => q.markDelivered.get(mark.userId, mark.seq, mark.room)?.seq ?? 0) };
      const room = write.input.room;
      let counters = rooms.get(room);
      if (!counters) {
        const stored = q.counters.get(room);
        if (!stored) return new WriteRefused('not_found', `room ${room} does not exist`);
        counters = { seq: stored.last_seq, rev: stored.last_rev, stored: { seq: stored.last_seq, rev: stored.last_rev } };
        rooms.set(room, counters);
      }
      return write.kind === 'send' ? send(write.input, counters, now) : change(write.input, counters, now);
    });
    for (const [room, counters] of rooms) {
      if (counters.seq !== counters.stored.seq || counters.rev !== counters.stored.rev) q.setCounters.run(counters.seq, counters.rev, room);
    }
    return outcomes;
  });

  // The writer also keeps the search index and the sealed catch-up pages, between commits
  // (sqlite-search-index.ts, sqlite-sealed-pages.ts).
  const indexer = createSearchIndexer(db);
  const sealer = createPageSealer(db);
  const group = createGroupCommit<Write, WriteResult>({
    commit: observedCommit((batch: Write[]) => {
      const outcomes = commitBatch.immediate(batch);
      indexer.committed();
      sealer.committed();
      return outcomes;
    }),
    // Another process holds the write lock: wait on a timer, with the event loop free, and retry with what arrived meanwhile.
    retryAfter: (error, waitedMs) => (isBusy(error) && waitedMs < LOCK_WAIT_MS ? 1 : undefined),
    failure: (error) => new StoreUnavailableError(`commit failed: ${(error as Error).message}`),
  });

  return {
    write: group.submit,
    async close() {
      indexer.close();
      sealer.close();
      // The last batch may wait for the lock as long as any other write.
      db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
      await group.close();
    },
  };
}

function isBusy(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_BUSY';
}
