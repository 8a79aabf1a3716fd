/** The shapes the PWA keeps on the device (IndexedDB and Pinia), built on the wire types. */
import type { Attachment, Err, MessageTarget, RoomId, User } from '../../shared/protocol';

export type MessageState = 'pending' | 'sent' | 'failed';

/** One timeline entry: a server message, or one of ours that the server has not acknowledged yet. */
export type LocalMessage = {
  /** `authorId/clientOffset`: the server's idempotency key, so a pending message and its acked copy share one record. */
  key: string;
  room: RoomId;
  clientOffset: string;
  author: User;
  content: string;
  state: MessageState;
  /** Server time once sent; the local creation time while unsent. */
  ts: number;
  id?: number;
  seq?: number;
  /** Position in the outbox while unsent (timeline order after every sent message). */
  order?: number;
  error?: Err;
  /** The message this one answers, as the server (or, while unsent, the device) last knew it. */
  replyTo?: LocalReply;
  /** When its author last edited it. */
  editedAt?: number;
  /** Taken back by its author: the content is gone from the device too. */
  deleted?: true;
  /** Emoji → user ids, in the order they reacted. */
  reactions?: Record<string, string[]>;
  /** The files it carries: the server's attachments once sent; while unsent, what was queued (no id until uploaded). */
  attachments?: LocalAttachment[];
};

/** An attachment as the timeline shows it: a server `Attachment`, or one still on this device (no id yet). */
export type LocalAttachment = Omit<Attachment, 'id'> & { id?: string };

/**
 * A file queued with a send (its bytes wait in IndexedDB's `blobs`, under the entry's clientOffset, in this
 * order): the tus upload's URL once created (so a relaunch resumes it), and the server's attachment once finalized.
 */
export type QueuedFile = Omit<LocalAttachment, 'id' | 'thumbhash'> & { uploadUrl?: string; attachment?: Attachment };

/**
 * What a reply shows of its parent. `key` finds the parent on the device (a parent still in our outbox has
 * no id yet); `id`/`seq` come from the server and let a jump load a parent older than what the device holds.
 */
export type LocalReply = { key?: string; id?: number; seq?: number; author?: User; preview: string; deleted?: true };

/**
 * An operation waiting for the server's `ok`, replayed on every (re)connect in `order`, only ever as its author,
 * each idempotent by (author, clientOffset): a send (optionally a reply), an edit, a delete, or a reaction set or unset.
 */
export type OutboxEntry = SendEntry | EditEntry | DeleteEntry | ReactEntry;

export type SendEntry = EntryBase & {
  kind: 'send';
  content: string;
  /** The parent: its id, or its clientOffset while it is still ours and unsent; and what the reply shows of it. */
  replyTo?: { target: MessageTarget; preview: LocalReply };
  /** Files it carries: uploaded (and finalized) before the send goes out. */
  files?: QueuedFile[];
};
/** A change to a message: `target` goes on the wire, `targetKey` finds the record on the device. */
type ChangeBase = EntryBase & { target: MessageTarget; targetKey: string };
export type EditEntry = ChangeBase & { kind: 'edit'; content: string };
export type DeleteEntry = ChangeBase & { kind: 'delete' };
export type ReactEntry = ChangeBase & { kind: 'react'; emoji: string; on: boolean };
export type ChangeEntry = EditEntry | DeleteEntry | ReactEntry;

type EntryBase = {
  clientOffset: string;
  /**
   * The user id of the session in which Send was pressed. An entry is sent only while that same user is
   * signed in here; once their session ends it stays on the device, inert, until the person deletes it.
   */
  authorId: string;
  room: RoomId;
  order: number;
  createdAt: number;
  /** Set when the server refused it for good (invalid, too_long, forbidden): the user retries or deletes it. */
  failed?: Err;
};

export type Session = { token: string; user: User };

/**
 * The author of entries queued before outbox entries named theirs (IndexedDB v3) on a device with no
 * session left: the person who wrote them had been signed out, so no one may send them.
 */
export const SIGNED_OUT_AUTHOR = '';

/** What a room's compose box held and did not send, and whose it is: a draft is only ever shown to its author. */
export type Draft = { room: RoomId; authorId: string; text: string };

export function messageKey(authorId: string, clientOffset: string): string {
  return `${authorId}/${clientOffset}`;
}
