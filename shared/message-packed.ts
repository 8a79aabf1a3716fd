/**
 * `message:packed` (a catch-up page for `auth.pages: 'packed'`) to and from the Message objects a
 * `message:batch` of the same page carries. As `message:rows`, the room is named once and each
 * author once, in `users`; a row then names its author by its place in `users`, and holds its id,
 * seq and ts as the step from the row before (the first row's step is from 0): in seq order within
 * one room those steps are small (seq's is 1), where the whole numbers were most of a row's bytes
 * beside its text. A row's seventh place is what the message has beyond its first six fields.
 */
import { addLaterLife, laterLifeOf, pagePayload, toPageUser, toUser } from './message-rows';
import type { Message, MessagePacked, RoomId, User } from './protocol';

/** A row naming no author of its page (never sent so): the message keeps an empty author rather than failing the page. */
const NOBODY: User = { id: '', name: '' };

export function messagesOfPacked(page: MessagePacked): Message[] {
  // One User object per author, shared by its messages, as messagesOfRows does (nothing changes a message's author).
  const authors = page.users.map(toUser);
  let id = 0;
  let seq = 0;
  let ts = 0;
  return page.rows.map((row) => {
    const [idStep, seqStep, author, clientOffset, content, tsStep] = row;
    id += idStep;
    seq += seqStep;
    ts += tsStep;
    // An index, never a key: nothing but a whole number reads a place of the array.
    const message: Message = {
      id,
      room: page.room,
      seq,
      author: (Number.isInteger(author) && authors[author]) || NOBODY,
      clientOffset,
      content,
      ts,
    };
    if (row.length === 7) addLaterLife(message, row[6]);
    return message;
  });
}

/**
 * What one packed row is made of: a message's fields, its strings and its later life already as
 * JSON text (SQLite writes them so: sqlite-sealed-pages.ts), the later life absent when it has none.
 */
export type PackableRow = {
  id: number;
  seq: number;
  authorId: string;
  clientOffsetJson: string;
  contentJson: string;
  ts: number;
  laterJson?: string | null;
};

/**
 * The rows of one page (one room, seq order) as the JSON text inside a packed page's `rows: [...]`,
 * and its authors' ids in the order the rows' author indexes count them (first appearance). Text,
 * not objects: SQLite keeps it as it is (sqlite-sealed-pages.ts).
 */
export function packRows(rows: PackableRow[]): { authorIds: string[]; rowsJson: string } {
  const places = new Map<string, number>();
  const parts: string[] = [];
  let id = 0;
  let seq = 0;
  let ts = 0;
  for (const row of rows) {
    let place = places.get(row.authorId);
    if (place === undefined) {
      place = places.size;
      places.set(row.authorId, place);
    }
    const later = row.laterJson ? `,${row.laterJson}` : '';
    parts.push(`[${row.id - id},${row.seq - seq},${place},${row.clientOffsetJson},${row.contentJson},${row.ts - ts}${later}]`);
    id = row.id;
    seq = row.seq;
    ts = row.ts;
  }
  return { authorIds: [...places.keys()], rowsJson: parts.join(',') };
}

/** The page `messagesOfPacked` reads back as `messages` (all of one room, in seq order), as JSON text. */
export function packedJsonOfMessages(room: RoomId, messages: Message[]): string {
  const authors = new Map<string, User>();
  const { rowsJson } = packRows(
    messages.map((message) => {
      if (!authors.has(message.author.id)) authors.set(message.author.id, message.author);
      const later = laterLifeOf(message);
      return {
        id: message.id,
        seq: message.seq,
        authorId: message.author.id,
        clientOffsetJson: JSON.stringify(message.clientOffset),
        contentJson: JSON.stringify(message.content),
        ts: message.ts,
        laterJson: later && JSON.stringify(later),
      };
    }),
  );
  // A Map keeps first insertion order: the order packRows numbered the authors in.
  return pagePayload(room, JSON.stringify([...authors.values()].map(toPageUser)), rowsJson);
}
