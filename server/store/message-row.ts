/** How message, change and user rows read in both SQL stores (same columns, same names) and become protocol values. */
import type { Attachment, Message, MessageChange, ReplyPreview, User } from '../../shared/protocol';

/**
 * A message's later life is kept on its row, ready to send: `reply_json` (the parent as a
 * ReplyPreview), `edited_at`, `deleted`, `reactions` (JSON emoji → user ids) and `attachments`
 * (JSON Attachment[], as sent), so reading a page costs no joins beyond the author.
 */
export type MessageRow = {
  id: number;
  room: string;
  seq: number;
  author_id: string;
  author_name: string;
  author_handle: string | null;
  client_offset: string;
  content: string;
  ts: number;
  reply_json: string | null;
  edited_at: number | null;
  deleted: number | boolean;
  reactions: string | null;
  attachments: string | null;
};

export const MESSAGE_COLUMNS = `m.id, m.room, m.seq, m.author_id, u.name AS author_name, u.handle AS author_handle, m.client_offset, m.content, m.ts,
  m.reply_json, m.edited_at, m.deleted, m.reactions, m.attachments`;

/** A user as the protocol shows one: the handle only once claimed. */
export function toUser(id: string, name: string, handle: string | null | undefined): User {
  return handle ? { id, name, handle } : { id, name };
}

/** The optional parts of a message, present only when they say something (a v1 message stays as it was). */
export function withLaterLife(
  message: Message,
  replyJson: string | null,
  editedAt: number | null,
  deleted: number | boolean,
  reactions: string | null,
  attachments: string | null,
): Message {
  if (replyJson) message.replyTo = JSON.parse(replyJson) as ReplyPreview;
  if (editedAt !== null && editedAt !== undefined) message.editedAt = editedAt;
  if (deleted) message.deleted = true;
  if (reactions) message.reactions = JSON.parse(reactions) as Record<string, string[]>;
  if (attachments) message.attachments = JSON.parse(attachments) as Attachment[];
  return message;
}

export function toMessage(row: MessageRow): Message {
  return withLaterLife(
    {
      id: row.id,
      room: row.room,
      seq: row.seq,
      author: toUser(row.author_id, row.author_name, row.author_handle),
      clientOffset: row.client_offset,
      content: row.content,
      ts: row.ts,
    },
    row.reply_json,
    row.edited_at,
    row.deleted,
    row.reactions,
    row.attachments,
  );
}

/** The same columns in MESSAGE_COLUMNS order, as a raw row array (better-sqlite3 `.raw()`). */
export type MessageTuple = [
  id: number,
  room: string,
  seq: number,
  authorId: string,
  authorName: string,
  authorHandle: string | null,
  clientOffset: string,
  content: string,
  ts: number,
  replyJson: string | null,
  editedAt: number | null,
  deleted: number,
  reactions: string | null,
  attachments: string | null,
];

export function tupleToMessage([
  id,
  room,
  seq,
  authorId,
  authorName,
  authorHandle,
  clientOffset,
  content,
  ts,
  replyJson,
  editedAt,
  deleted,
  reactions,
  attachments,
]: MessageTuple): Message {
  return withLaterLife(
    { id, room, seq, author: toUser(authorId, authorName, authorHandle), clientOffset, content, ts },
    replyJson,
    editedAt,
    deleted,
    reactions,
    attachments,
  );
}

export type ChangeRow = {
  room: string;
  rev: number;
  kind: MessageChange['kind'];
  target: number;
  target_seq: number;
  author_id: string;
  author_name: string;
  author_handle: string | null;
  client_offset: string;
  ts: number;
  content: string | null;
  emoji: string | null;
  on_flag: number | boolean | null;
};

export const CHANGE_COLUMNS = `c.room, c.rev, c.kind, c.target, c.target_seq, c.author_id, u.name AS author_name, u.handle AS author_handle,
  c.client_offset, c.ts, c.content, c.emoji, c.on_flag`;

export function toChange(row: ChangeRow): MessageChange {
  const change: MessageChange = {
    room: row.room,
    rev: row.rev,
    kind: row.kind,
    target: row.target,
    targetSeq: row.target_seq,
    by: toUser(row.author_id, row.author_name, row.author_handle),
    clientOffset: row.client_offset,
    ts: row.ts,
  };
  if (row.kind === 'edit' && row.content !== null) change.content = row.content;
  if (row.kind === 'react') {
    change.emoji = row.emoji ?? '';
    change.on = Boolean(row.on_flag);
  }
  return change;
}
