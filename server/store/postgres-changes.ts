/**
 * Changes on PostgreSQL: an edit, delete or reaction in one transaction that
 * locks the room's row first, so each room's revs are handed out one at a time
 * and gap-free across every instance, as its seqs are. The rules are the same
 * as SQLite's (change-rules.ts); so is what a change does to the message row.
 */
import type pg from 'pg';
import type { MessageChange, MessageTarget, ReplyPreview } from '../../shared/protocol';
import { replyPreviewText } from '../../shared/reply-preview';
import { judgeChange, toggledReactions } from './change-rules';
import { CHANGE_COLUMNS, MESSAGE_COLUMNS, toChange, toMessage, toUser, type ChangeRow, type MessageRow } from './message-row';
import { inTransaction } from './postgres-client';
import { WriteRefused, type ChangeResult, type ChangeRules, type NewChange } from './store';

const FROM_MESSAGES = 'FROM messages m JOIN users u ON u.id = m.author_id';

/** The message a target names: by id, or the author's own by clientOffset. */
export async function findTarget(
  client: pg.PoolClient | pg.Pool,
  target: MessageTarget,
  authorId: string,
  lock = false,
): Promise<MessageRow | undefined> {
  const forUpdate = lock ? ' FOR UPDATE OF m' : '';
  const { rows } =
    typeof target === 'number'
      ? await client.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} ${FROM_MESSAGES} WHERE m.id = $1${forUpdate}`, [target])
      : await client.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} ${FROM_MESSAGES} WHERE m.author_id = $1 AND m.client_offset = $2${forUpdate}`,
          [authorId, target],
        );
  return rows[0];
}

export function previewOf(row: MessageRow): ReplyPreview {
  if (row.deleted) return { id: row.id, seq: row.seq, deleted: true };
  return {
    id: row.id,
    seq: row.seq,
    author: toUser(row.author_id, row.author_name, row.author_handle),
    preview: replyPreviewText(row.content),
  };
}

async function changeByKey(client: pg.PoolClient, authorId: string, clientOffset: string): Promise<ChangeRow | undefined> {
  const { rows } = await client.query<ChangeRow>(
    `SELECT ${CHANGE_COLUMNS} FROM changes c JOIN users u ON u.id = c.author_id WHERE c.author_id = $1 AND c.client_offset = $2`,
    [authorId, clientOffset],
  );
  return rows[0];
}

export function applyChange(pool: pg.Pool, input: NewChange, rules: ChangeRules): Promise<ChangeResult> {
  return inTransaction(pool, async (client) => {
    const room = await client.query<{ last_rev: number }>('SELECT last_rev FROM rooms WHERE id = $1 FOR UPDATE', [input.room]);
    if (!room.rows[0]) throw new WriteRefused('not_found', `room ${input.room} does not exist`);
    const repeated = await changeByKey(client, input.author.id, input.clientOffset);
    if (repeated) {
      const current = await findTarget(client, repeated.target, input.author.id);
      if (!current) throw new Error('change without its message');
      return { change: toChange(repeated), message: toMessage(current), created: false };
    }
    const target = await findTarget(client, input.target, input.author.id, true);
    if (!target || target.room !== input.room) throw new WriteRefused('not_found', 'no such message in this room');
    const now = Date.now();
    const reactions = target.reactions ? (JSON.parse(target.reactions) as Record<string, string[]>) : {};
    const verdict = judgeChange(
      input,
      { authorId: target.author_id, ts: target.ts, deleted: Boolean(target.deleted), reactions },
      rules,
      now,
    );
    if (verdict === 'repeat-delete') {
      const { rows } = await client.query<ChangeRow>(
        `SELECT ${CHANGE_COLUMNS} FROM changes c JOIN users u ON u.id = c.author_id WHERE c.target = $1 AND c.kind = 'delete'`,
        [target.id],
      );
      if (!rows[0]) throw new Error('deleted without a deletion');
      return { change: toChange(rows[0]), message: toMessage(target), created: false };
    }
    if (verdict) throw verdict;

    const rev = room.rows[0].last_rev + 1;
    await client.query('UPDATE rooms SET last_rev = $1 WHERE id = $2', [rev, input.room]);
    await client.query(
      `INSERT INTO changes (room, rev, kind, target, target_seq, author_id, client_offset, ts, content, emoji, on_flag)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
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
        input.kind === 'react' ? input.on : null,
      ],
    );
    // The row as it now is (locked above), written and answered without reading it back.
    const updated: MessageRow = { ...target };
    if (input.kind === 'edit') {
      await client.query('UPDATE messages SET content = $1, edited_at = $2 WHERE id = $3', [input.content, now, target.id]);
      Object.assign(updated, { content: input.content, edited_at: now });
    } else if (input.kind === 'delete') {
      // The text leaves the store, not just the screen: the message, its edits and its reactions.
      await client.query(`UPDATE messages SET content = '', deleted = TRUE, reactions = NULL, attachments = NULL WHERE id = $1`, [
        target.id,
      ]);
      // Its attachments stop being readable through this message's room.
      await client.query('DELETE FROM message_attachments WHERE message_id = $1', [target.id]);
      await client.query(`UPDATE changes SET content = NULL WHERE target = $1 AND kind = 'edit'`, [target.id]);
      Object.assign(updated, { content: '', deleted: true, reactions: null, attachments: null });
    } else {
      updated.reactions = toggledReactions(reactions, input.author.id, input.emoji, input.on);
      if (updated.reactions !== target.reactions)
        await client.query('UPDATE messages SET reactions = $1 WHERE id = $2', [updated.reactions, target.id]);
    }
    if (input.kind !== 'react') {
      await client.query('UPDATE messages SET reply_json = $1 WHERE reply_to = $2', [JSON.stringify(previewOf(updated)), target.id]);
      // Its words as they now are, indexed or not yet (postgres-search-index.ts: the indexer's
      // insert gives way to this one, and this one overwrites the indexer's).
      await client.query(
        `INSERT INTO message_search (id, room, search) VALUES ($1, $2, to_tsvector('simple', $3))
         ON CONFLICT (id) DO UPDATE SET search = excluded.search`,
        [target.id, target.room, updated.content],
      );
    }
    const change: MessageChange = {
      room: input.room,
      rev,
      kind: input.kind,
      target: target.id,
      targetSeq: target.seq,
      by: input.author,
      clientOffset: input.clientOffset,
      ts: now,
    };
    if (input.kind === 'edit') change.content = input.content;
    if (input.kind === 'react') Object.assign(change, { emoji: input.emoji, on: input.on });
    return { change, message: toMessage(updated), created: true };
  });
}
