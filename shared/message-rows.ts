/**
 * `message:rows` (a catch-up page for `auth.pages: 'rows'`) back into the Message objects a
 * `message:batch` of the same page carries: the room and author, named once per page, go back
 * on every message, and a row's seventh place adds what the message has beyond its first six
 * fields. A page's messages by one author share one User object (nothing changes a message's author).
 */
import type { Message, MessageLaterLife, MessageRows, PageRow, PageUser, RoomId, User } from './protocol';

/** A page's author as a User, and back. */
export const toUser = ([id, name, handle]: PageUser): User => (handle ? { id, name, handle } : { id, name });
export const toPageUser = ({ id, name, handle }: User): PageUser => (handle ? [id, name, handle] : [id, name]);

/** The JSON text of a `message:rows` or `message:packed` page from its parts, each already JSON (the two share it). */
export function pagePayload(room: RoomId, usersJson: string, rowsJson: string): string {
  return `{"room":${JSON.stringify(room)},"users":${usersJson},"rows":[${rowsJson}]}`;
}

/** Copied by name, not spread: a key such as `__proto__` in the row must not reach the message. */
export function addLaterLife(message: Message, later: MessageLaterLife): void {
  if (later.replyTo !== undefined) message.replyTo = later.replyTo;
  if (later.editedAt !== undefined) message.editedAt = later.editedAt;
  if (later.deleted) message.deleted = true;
  if (later.reactions !== undefined) message.reactions = later.reactions;
  if (later.attachments !== undefined) message.attachments = later.attachments;
}

export function messagesOfRows(page: MessageRows): Message[] {
  const authors = new Map<string, User>();
  for (const user of page.users) authors.set(user[0], toUser(user));
  return page.rows.map((row) => {
    const [id, seq, authorId, clientOffset, content, ts] = row;
    // Every author of a page is in its users; a stray row still names its author rather than failing.
    const author = authors.get(authorId) ?? { id: authorId, name: authorId };
    const message: Message = { id, room: page.room, seq, author, clientOffset, content, ts };
    if (row.length === 7) addLaterLife(message, row[6]);
    return message;
  });
}

/** What a row's seventh place takes of each later-life field, in Message's order. */
const LATER_LIFE_KEYS = ['replyTo', 'editedAt', 'deleted', 'reactions', 'attachments'] as const;

/** What `message` has beyond its first six fields, or undefined when it has none of it. */
export function laterLifeOf(message: Message): MessageLaterLife | undefined {
  const later: MessageLaterLife = {};
  let any = false;
  for (const key of LATER_LIFE_KEYS)
    if (message[key] !== undefined) {
      Object.assign(later, { [key]: message[key] });
      any = true;
    }
  return any ? later : undefined;
}

/** The page `messagesOfRows` reads back as `messages` (all of one room, in seq order). */
export function rowsOfMessages(room: RoomId, messages: Message[]): MessageRows {
  const users = new Map<string, PageUser>();
  const rows = messages.map((message): PageRow => {
    const { author } = message;
    if (!users.has(author.id)) users.set(author.id, toPageUser(author));
    const head = [message.id, message.seq, author.id, message.clientOffset, message.content, message.ts] as const;
    const later = laterLifeOf(message);
    return later ? [...head, later] : [...head];
  });
  return { room, users: [...users.values()], rows };
}
