/** How message and user rows read in both SQL stores (same columns, same names) and become protocol values. */
import type { Message, User } from '../../shared/protocol';

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
};

export const MESSAGE_COLUMNS = `m.id, m.room, m.seq, m.author_id, u.name AS author_name, u.handle AS author_handle, m.client_offset, m.content, m.ts`;

/** A user as the protocol shows one: the handle only once claimed. */
export function toUser(id: string, name: string, handle: string | null | undefined): User {
  return handle ? { id, name, handle } : { id, name };
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    room: row.room,
    seq: row.seq,
    author: toUser(row.author_id, row.author_name, row.author_handle),
    clientOffset: row.client_offset,
    content: row.content,
    ts: row.ts,
  };
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
];

export function tupleToMessage([id, room, seq, authorId, authorName, authorHandle, clientOffset, content, ts]: MessageTuple): Message {
  return { id, room, seq, author: toUser(authorId, authorName, authorHandle), clientOffset, content, ts };
}
