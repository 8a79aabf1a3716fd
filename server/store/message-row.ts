/** How a message row reads in both SQL stores (same columns, same names) and becomes a protocol Message. */
import type { Message } from '../../shared/protocol';

export type MessageRow = {
  id: number;
  room: string;
  seq: number;
  author_id: string;
  author_name: string;
  client_offset: string;
  content: string;
  ts: number;
};

export const MESSAGE_COLUMNS = `m.id, m.room, m.seq, m.author_id, u.name AS author_name, m.client_offset, m.content, m.ts`;

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    room: row.room,
    seq: row.seq,
    author: { id: row.author_id, name: row.author_name },
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
  clientOffset: string,
  content: string,
  ts: number,
];

export function tupleToMessage([id, room, seq, authorId, authorName, clientOffset, content, ts]: MessageTuple): Message {
  return { id, room, seq, author: { id: authorId, name: authorName }, clientOffset, content, ts };
}
